import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

/** A real HTTP server on 127.0.0.1 whose every answer is the test's `answer`, swapped at will. */
export interface ScriptedServer {
  /** `http://127.0.0.1:PORT/v1`, once the server listens (in beforeAll). */
  baseUrl: string;
  /** Requests taken so far. */
  requests: number;
  answer: (res: ServerResponse, req: IncomingMessage) => void;
}

/** Starts one for the file's tests (beforeAll) and closes it after them. */
export function useScriptedServer(answer: ScriptedServer['answer']): ScriptedServer {
  const scripted: ScriptedServer = { baseUrl: '', requests: 0, answer };
  let server: Server;
  beforeAll(async () => {
    server = createServer((req, res) => {
      scripted.requests++;
      req.resume();
      scripted.answer(res, req);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    scripted.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });
  return scripted;
}
