// error: throws HandlerError(event.message || "boom") two calls deep.
class HandlerError extends Error {
  constructor(message) {
    super(message);
    this.name = 'HandlerError';
  }
}

function fail(message) {
  throw new HandlerError(message);
}

export const handler = async (event) => {
  fail((event && event.message) || 'boom');
};
