// stream: a streaming response (awslambda.streamifyResponse): writes each string of
// event.chunks (default ["a","b","c"]) as its own chunk, event.delayMs apart; with
// event.fail set, throws after the chunks (the error goes in the HTTP trailers).
export const handler = awslambda.streamifyResponse(async (event = {}, responseStream) => {
  responseStream.setContentType('text/plain');
  for (const chunk of event.chunks || ['a', 'b', 'c']) {
    responseStream.write(chunk);
    if (event.delayMs) await new Promise((r) => setTimeout(r, event.delayMs));
  }
  if (event.fail) throw new Error(String(event.fail));
  responseStream.end();
});
