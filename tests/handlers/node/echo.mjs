// echo: returns the event unchanged (ESM, async).
export const handler = async (event) => event;
