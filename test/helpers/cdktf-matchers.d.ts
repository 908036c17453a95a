import "vitest";

interface CdktfMatchers<R = unknown> {
  toHaveResource(t: { tfResourceType: string }): R;
  toHaveResourceWithProperties(t: { tfResourceType: string }, p: Record<string, unknown>): R;
  toHaveDataSource(t: { tfResourceType: string }): R;
  toHaveDataSourceWithProperties(t: { tfResourceType: string }, p: Record<string, unknown>): R;
  toHaveProvider(t: { tfResourceType: string }): R;
  toHaveProviderWithProperties(t: { tfResourceType: string }, p: Record<string, unknown>): R;
}
declare module "vitest" {
  // biome-ignore lint/suspicious/noExplicitAny: matches vitest's own declaration
  interface Matchers<T = any> extends CdktfMatchers<T> {}
}
