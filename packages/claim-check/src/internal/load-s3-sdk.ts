import { ClaimCheckError } from "../claim-check-error.js";

/** `@aws-sdk/client-s3` (an optional peer dependency), imported on first use. */
export async function loadS3Sdk(): Promise<typeof import("@aws-sdk/client-s3")> {
  try {
    return await import("@aws-sdk/client-s3");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") throw error;
    throw new ClaimCheckError(
      "@aws-sdk/client-s3 is not installed: the s3 store needs it (npm install @aws-sdk/client-s3)",
      {
        code: "MISSING_DEPENDENCY",
        field: "@aws-sdk/client-s3",
        cause: error,
      },
    );
  }
}
