//! Devices whose sr25519 keys live in the keystore (`sp_io::crypto`), as benchmarks make
//! them: the one way to register such a device through the real path, attested by a maker
//! whose key is in the keystore too (keys from `assay_primitives::bench_keys`). The
//! registry's own benchmarks and the benchmark helpers of the pallets that use the registry
//! (in their mocks and in the runtime) all go through here. Compiled with
//! `runtime-benchmarks` or `test-utils`.

use crate::{Config, MakerId, MakerInfo, Makers, Pallet};
pub use assay_primitives::bench_keys::{account_of, generate, sign, KEY_TYPE};
use assay_primitives::DeviceKind;
use assay_wire::devices;
use polkadot_sdk::{
	frame_support::BoundedVec,
	sp_core::{sr25519, Get},
	sp_runtime::{traits::IdentifyAccount, AccountId32, MultiSignature, MultiSigner},
};

/// The id of the maker whose key is in the keystore.
pub const MAKER: MakerId = 0xbe0c;

/// Allows maker [`MAKER`] with a keystore key and the longest name (the worst case for
/// benchmarks), unless it is already allowed; returns its key.
pub fn ensure_maker<T: Config>() -> sr25519::Public {
	if let Some(info) = Makers::<T>::get(MAKER) {
		let signer: AccountId32 = info.signer;
		return sr25519::Public::from_raw(signer.into());
	}
	let key = generate();
	let name = BoundedVec::truncate_from(alloc::vec![b'm'; T::MaxMakerNameLen::get() as usize]);
	Makers::<T>::insert(MAKER, MakerInfo { name, signer: MultiSigner::from(key).into_account() });
	key
}

/// Registers the keystore key `device` as a `kind` owned by `owner` (who must be able to
/// pay the deposit), attested by the keystore maker, with the device's own consent;
/// returns its id.
pub fn register<T: Config>(
	device: sr25519::Public,
	owner: &T::AccountId,
	kind: DeviceKind,
) -> T::AccountId {
	let maker = ensure_maker::<T>();
	let id: T::AccountId = account_of(&device);
	let registration = devices::registration(
		&Pallet::<T>::genesis_hash(),
		owner,
		kind,
		crate::Registrations::<T>::get(&id),
	);
	Pallet::<T>::do_register_device(
		owner.clone(),
		device.into(),
		kind,
		MAKER,
		sign(&maker, &devices::maker_attestation(&id, kind)),
		sign(&device, &registration),
	)
	.expect("a keystore device registers");
	id
}

/// `key`'s signature over a nonce report with `payload`.
pub fn sign_report<T: Config>(key: &sr25519::Public, nonce: u64, payload: &[u8]) -> MultiSignature {
	sign(key, &devices::report(&Pallet::<T>::genesis_hash(), nonce, payload))
}
