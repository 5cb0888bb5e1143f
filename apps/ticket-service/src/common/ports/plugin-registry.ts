/**
 * A port that modules further up the dependency graph plug into when the app starts (in their
 * `onModuleInit`), so the module that declares it never imports them. Subclass it once per port.
 */
export abstract class PluginRegistry<T> {
  private readonly plugins: T[] = [];

  register(plugin: T): void {
    this.plugins.push(plugin);
  }

  get all(): readonly T[] {
    return this.plugins;
  }

  /** The one plugin of a port that needs exactly one. */
  get single(): T {
    if (this.plugins.length !== 1) {
      throw new Error(`${this.constructor.name} needs exactly one plugin, ${this.plugins.length} registered`);
    }
    return this.plugins[0];
  }
}
