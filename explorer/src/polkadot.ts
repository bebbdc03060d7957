// @polkadot/api and the few helpers the pages use, in a chunk of their own (`loadPolkadot`
// in chain.ts imports it): the shell and the map's first frame do not wait for its ~1 MB
// of JavaScript to load and parse.
export { ApiPromise, WsProvider } from '@polkadot/api';
export { decodeAddress, encodeAddress } from '@polkadot/util-crypto';
export { u8aToHex } from '@polkadot/util';
