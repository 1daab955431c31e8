/** Reads an SSE response until a final status event (the gateway's mesh API), then cancels it. */
export async function untilFinal(response) {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of response.body) {
    text += decoder.decode(chunk, { stream: true });
    if (/"status":"(succeeded|failed|canceled)"/.test(text)) {
      await response.body.cancel().catch(() => undefined);
      return;
    }
  }
}
