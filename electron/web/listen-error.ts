/** Why `utter web` could not listen, in words that say what to change. */
export class ListenError extends Error {
  override readonly name = 'ListenError';
}

export function listenError(error: NodeJS.ErrnoException, host: string, port: number): ListenError {
  switch (error.code) {
    case 'EADDRINUSE':
      return new ListenError(`Port ${port} on ${host} is taken by another program: give another --port, or --port 0 for any free one.`);
    case 'EACCES':
      return new ListenError(`This system does not let Utter listen on port ${port} (ports under 1024 need privileges): give another --port.`);
    case 'EADDRNOTAVAIL':
      return new ListenError(`${host} is not an address of this machine: give one of its own with --host, or leave --host out.`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ListenError(`${host} cannot be looked up: give an address with --host, or leave --host out.`);
    default:
      return new ListenError(`Cannot listen on ${host}:${port} (${error.code ?? error.message}).`);
  }
}
