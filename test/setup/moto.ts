/** A running SQS emulator endpoint (owned by the SQS transport work; see issue 6). */
export interface MotoHandle {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Placeholder until the SQS adapter lands: reuses ASYA_TEST_SQS_ENDPOINT when set. */
export async function startMotoIfNeeded(): Promise<MotoHandle> {
  return { endpoint: process.env.ASYA_TEST_SQS_ENDPOINT ?? "", stop: async () => {} };
}
