// The credential resolution lives in @hypernode/store so the `hypernode up` supervisor uses the same code path.
export { bearerOf, identify, SESSION_COOKIE, unauthorizedMessage, type Identity } from '@hypernode/store';
