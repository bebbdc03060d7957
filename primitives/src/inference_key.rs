//! The `infr` application key: an sr25519 key the validator's inference worker signs its
//! commit and reveal extrinsics with. It is deliberately not part of `SessionKeys`
//! (zombienet writes session keys from a fixed list of names), so it lives in the keystore
//! beside them: `assay-node key insert --key-type infr`, or derived from the dev seed when
//! a node runs with `--alice`, `--bob`, …

use polkadot_sdk::sp_runtime::KeyTypeId;

/// The key type of the inference worker's key.
pub const KEY_TYPE: KeyTypeId = KeyTypeId(*b"infr");

mod app {
	use polkadot_sdk::sp_application_crypto::{app_crypto, sr25519};
	app_crypto!(sr25519, super::KEY_TYPE);
}

/// The inference worker's public key.
pub type InferencePublic = app::Public;
/// The inference worker's signature.
pub type InferenceSignature = app::Signature;
#[cfg(feature = "std")]
/// The inference worker's key pair (node side only).
pub type InferencePair = app::Pair;
