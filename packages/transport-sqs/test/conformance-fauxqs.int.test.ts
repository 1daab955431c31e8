import { describeSqsConformance } from "./conformance.js";
import { fauxqsEmulator } from "./emulators.js";

describeSqsConformance(fauxqsEmulator(), 1);
