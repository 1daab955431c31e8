import { describeSqsConformance } from "./conformance.js";
import { motoEmulator } from "./emulators.js";

// moto is a single Python process shared by every test file: give its timings more room.
describeSqsConformance(motoEmulator(), 4);
