// Values the integration project's global setup (test/setup/global-setup.ts) provides to tests.
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    rabbitmqUrl: string;
    sqsEndpoint: string;
    pubsubEmulatorHost: string;
    pubsubBackend: string;
    postgresUrl: string;
    redisUrl: string;
  }
}
