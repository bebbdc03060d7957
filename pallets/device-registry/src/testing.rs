//! Test helpers for the mock runtimes of pallets that use the real device registry
//! (feature `test-utils`): sr25519 device keys that register through a test maker and
//! sign reports exactly as a device does.

use crate::{Config, Makers, Pallet, Reports};
use alloc::format;
use assay_primitives::DeviceKind;
use assay_wire::devices;
use polkadot_sdk::{
	frame_support::BoundedVec,
	frame_system::RawOrigin,
	sp_core::{sr25519, Pair},
	sp_runtime::{traits::IdentifyAccount, AccountId32, MultiSignature, MultiSigner},
};

/// The test maker's id.
pub const TEST_MAKER: u32 = 1;

/// The test maker's key: `//DevMaker`, as on the development chains.
pub fn test_maker() -> sr25519::Pair {
	sr25519::Pair::from_string("//DevMaker", None).expect("a valid dev seed")
}

/// Allows the test maker, once.
pub fn ensure_test_maker<T: Config<AccountId = AccountId32>>() {
	if Makers::<T>::contains_key(TEST_MAKER) {
		return;
	}
	let signer: MultiSigner = test_maker().public().into();
	let name = BoundedVec::truncate_from(b"Test Maker".to_vec());
	Pallet::<T>::add_maker(RawOrigin::Root.into(), TEST_MAKER, name, signer)
		.expect("root adds the test maker");
}

/// A device's own key.
#[derive(Clone)]
pub struct DeviceKey(pub sr25519::Pair);

impl DeviceKey {
	/// The key of the dev seed `//{path}`.
	pub fn new(path: &str) -> Self {
		Self(sr25519::Pair::from_string(&format!("//{path}"), None).expect("a valid dev seed"))
	}

	/// The device's id: the account of its key.
	pub fn id(&self) -> AccountId32 {
		MultiSigner::from(self.0.public()).into_account()
	}

	/// Signs `message` with the device key.
	pub fn sign(&self, message: &[u8]) -> MultiSignature {
		self.0.sign(message).into()
	}

	/// Registers the device as a `kind` of `owner`, attested by the test maker, with the
	/// device's own consent.
	pub fn register<T: Config<AccountId = AccountId32>>(
		&self,
		owner: &AccountId32,
		kind: DeviceKind,
	) {
		ensure_test_maker::<T>();
		let attest =
			MultiSignature::from(test_maker().sign(&devices::maker_attestation(&self.id(), kind)));
		let registrations = crate::Registrations::<T>::get(self.id());
		let consent = self.sign(&devices::registration(
			&Pallet::<T>::genesis_hash(),
			owner,
			kind,
			registrations,
		));
		Pallet::<T>::register_device(
			RawOrigin::Signed(owner.clone()).into(),
			MultiSigner::from(self.0.public()),
			kind,
			TEST_MAKER,
			attest,
			consent,
		)
		.expect("the test device registers");
	}

	/// The nonce its next report carries.
	pub fn nonce<T: Config<AccountId = AccountId32>>(&self) -> u64 {
		Reports::<T>::get(self.id()).next_nonce
	}

	/// Its signature over a report with `nonce` and `payload`, as the registry checks it.
	pub fn sign_report<T: Config>(&self, nonce: u64, payload: &[u8]) -> MultiSignature {
		self.sign(&devices::report(&Pallet::<T>::genesis_hash(), nonce, payload))
	}

	/// Its signature over a nonce-free report with `payload`.
	pub fn sign_unique_report<T: Config>(&self, payload: &[u8]) -> MultiSignature {
		self.sign(&devices::unique_report(&Pallet::<T>::genesis_hash(), payload))
	}
}
