// Type-checking aid for `tsc -p test/reliability`: the same augmentation test/setup/global-setup.ts
// declares (values provided by the integration project's global setup).
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    sqsEndpoint: string;
    pubsubEmulatorHost: string;
    pubsubBackend: string;
  }
}
