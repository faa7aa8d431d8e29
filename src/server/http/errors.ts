// Every error the API answers is `{"error": "one line"}` with its status: ours (HttpError), a person's
// mistake the data layer named (SpyglassError → 400), fastify's own (body too large, malformed JSON,
// unsupported media type: their 4xx status), and anything else as 500 without its stack.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isSpyglassError } from '../../core/errors.ts';

export class HttpError extends Error {
  constructor(readonly statusCode: number, message: string) {
    super(message);
    this.name = 'HttpError';
  }
}

export const notFound = (what: string): HttpError => new HttpError(404, `${what} not found`);
export const badRequest = (message: string): HttpError => new HttpError(400, message);

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

const FASTIFY_MESSAGES: Record<string, (error: FastifyError) => string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () => 'request body is larger than the server accepts',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: (error) => `unsupported content type: ${error.message.replace(/^Unsupported Media Type:?\s*/i, '') || 'send application/json'}`,
  FST_ERR_CTP_EMPTY_JSON_BODY: () => "malformed JSON body: the body is empty but content-type is 'application/json'",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () => 'request body length does not match its content-length',
};

export function errorHandler(onInternal: (error: unknown, request: FastifyRequest) => void) {
  return (error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void => {
    if (error instanceof HttpError) {
      void reply.status(error.statusCode).send({ error: oneLine(error.message) });
      return;
    }
    if (isSpyglassError(error)) {
      void reply.status(400).send({ error: oneLine(error.message) });
      return;
    }
    const fastifyError = error as FastifyError;
    const status = fastifyError.statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      const code = fastifyError.code;
      let message = code !== undefined && FASTIFY_MESSAGES[code] !== undefined ? FASTIFY_MESSAGES[code](fastifyError) : fastifyError.message;
      if (error instanceof SyntaxError || code === 'FST_ERR_CTP_INVALID_JSON_BODY') message = `malformed JSON body: ${error.message}`;
      void reply.status(status).send({ error: oneLine(message) });
      return;
    }
    onInternal(error, request);
    void reply.status(500).send({ error: 'internal server error (see the server log)' });
  };
}
