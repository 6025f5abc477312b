// The package ships no types: its default export is Emscripten's module factory.
declare module '@echogarden/sonic-wasm' {
  const Sonic: (options?: { locateFile?: (path: string, prefix: string) => string; wasmBinary?: ArrayBuffer | Uint8Array }) => Promise<unknown>;
  export default Sonic;
}
