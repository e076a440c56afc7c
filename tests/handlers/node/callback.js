// callback: CommonJS, callback style; answers {"echo": event} after a tick.
exports.handler = function (event, context, callback) {
  setImmediate(() => callback(null, { echo: event, requestId: context.awsRequestId }));
};
