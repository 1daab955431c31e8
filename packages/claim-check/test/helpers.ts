import type { ClaimCheckError } from "@asya/claim-check";

/** The error `promise` rejects with; fails the test if it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<ClaimCheckError> {
  try {
    await promise;
  } catch (error) {
    return error as ClaimCheckError;
  }
  throw new Error("expected a rejection");
}
