/// <reference types="vite/client" />

// For tools that read .ts files without Vue's language service (the type-aware lint): an SFC is a
// component. vue-tsc, which type-checks the app, sees each component's real type instead.
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}
