//! Device keys in the keystore (`sp_io::crypto`), as benchmarks make them: one key type,
//! one way to generate, sign and name them, for every pallet's benchmarks and the benchmark
//! helpers wired in mocks and the runtime. Compiled with `runtime-benchmarks` or `testing`.

use polkadot_sdk::{
	sp_core::{crypto::KeyTypeId, sr25519},
	sp_io::crypto::{sr25519_generate, sr25519_sign},
	sp_runtime::{traits::IdentifyAccount, AccountId32, MultiSignature, MultiSigner},
};

/// The key type benchmark keys are generated under.
pub const KEY_TYPE: KeyTypeId = KeyTypeId(*b"bnch");

/// A new key in the keystore.
pub fn generate() -> sr25519::Public {
	sr25519_generate(KEY_TYPE, None)
}

/// `key`'s signature over `message`.
pub fn sign(key: &sr25519::Public, message: &[u8]) -> MultiSignature {
	sr25519_sign(KEY_TYPE, key, message)
		.expect("benchmark keys are in the keystore")
		.into()
}

/// The account (a device's id) of `key`.
pub fn account_of<AccountId: From<AccountId32>>(key: &sr25519::Public) -> AccountId {
	let id: AccountId32 = MultiSigner::from(*key).into_account();
	id.into()
}
