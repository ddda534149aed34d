// The slice of the WebAssembly JS API the kernel loader uses. @types/node 20 does not declare it
// (it lives in TypeScript's DOM lib, which a Node program should not pull in).
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports: Record<string, unknown>);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    readonly buffer: ArrayBuffer;
  }
  function validate(bytes: Uint8Array): boolean;
}
