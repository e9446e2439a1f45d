/** A small typed event emitter that works the same in Node and the browser. */
export class Emitter<TEvents extends Record<string, unknown>> {
  private readonly listeners = new Map<keyof TEvents, Set<(value: never) => void>>();

  on<TName extends keyof TEvents>(name: TName, listener: (value: TEvents[TName]) => void): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener as (value: never) => void);
    return () => set.delete(listener as (value: never) => void);
  }

  protected emit<TName extends keyof TEvents>(name: TName, value: TEvents[TName]): void {
    for (const listener of this.listeners.get(name) ?? []) (listener as (value: TEvents[TName]) => void)(value);
  }
}
