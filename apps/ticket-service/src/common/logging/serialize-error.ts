export interface SerializedError {
  name?: string;
  message: string;
  stack?: string;
  cause?: SerializedError;
}

/** An error as the JSON log shows it: name, message, stack and the chain of causes. */
export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const cause = error.cause === undefined ? undefined : serializeError(error.cause);
    return { name: error.name, message: error.message, stack: error.stack, cause };
  }
  return { message: String(error) };
}
