//! Benchmarks of the device registry. Signatures are real sr25519 signatures made with the
//! benchmark keystore, so registration and report authorization pay for verification.

use crate::{BenchmarkHelper, Call, Config, Devices, Makers, Pallet, Reports};
use alloc::vec;
use assay_primitives::{DeviceKind, DeviceStatus};
use assay_wire::devices;
use polkadot_sdk::{
	frame_benchmarking::v2::*,
	frame_support::{
		pallet_prelude::TransactionSource,
		traits::{Authorize, EnsureOrigin, Get},
		BoundedVec,
	},
	frame_system::{self, RawOrigin},
	sp_core::sr25519,
	sp_runtime::{MultiSignature, MultiSigner, Saturating},
};

use crate::keystore_devices::{self, generate as new_key, sign, MAKER};

fn device_id<T: Config>(key: &sr25519::Public) -> T::AccountId {
	keystore_devices::account_of(key)
}

fn funded<T: Config>(name: &'static str) -> T::AccountId {
	let who: T::AccountId = account(name, 0, 0);
	T::BenchmarkHelper::fund(&who);
	who
}

/// A maker with the longest name, returning its key.
fn setup_maker<T: Config>() -> sr25519::Public {
	keystore_devices::ensure_maker::<T>()
}

/// Registers a fresh device to `owner` through the real path; returns its key.
fn register<T: Config>(owner: &T::AccountId) -> sr25519::Public {
	let key = new_key();
	keystore_devices::register::<T>(key, owner, DeviceKind::Hotspot);
	key
}

fn res12_cell() -> u64 {
	let ll = h3o::LatLng::new(38.7223, -9.1393).expect("valid coordinates");
	u64::from(ll.to_cell(h3o::Resolution::Twelve))
}

fn heartbeat_signature<T: Config>(key: &sr25519::Public, nonce: u64) -> MultiSignature {
	let device = device_id::<T>(key);
	keystore_devices::sign_report::<T>(key, nonce, &devices::heartbeat_payload(&device))
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn add_maker() -> Result<(), BenchmarkError> {
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let name =
			BoundedVec::try_from(vec![b'm'; T::MaxMakerNameLen::get() as usize]).expect("fits");
		let signer: MultiSigner = new_key().into();
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, MAKER, name, signer);
		assert!(Makers::<T>::contains_key(MAKER));
		Ok(())
	}

	#[benchmark]
	fn remove_maker() -> Result<(), BenchmarkError> {
		setup_maker::<T>();
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, MAKER);
		assert!(!Makers::<T>::contains_key(MAKER));
		Ok(())
	}

	#[benchmark]
	fn register_device() {
		let owner = funded::<T>("owner");
		let maker = setup_maker::<T>();
		let key = new_key();
		let device = device_id::<T>(&key);
		let kind = DeviceKind::Hotspot;
		let maker_signature = sign(&maker, &devices::maker_attestation(&device, kind));
		let device_signature =
			sign(&key, &devices::registration(&Pallet::<T>::genesis_hash(), &owner, kind, 0));
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), key.into(), kind, MAKER, maker_signature, device_signature);
		assert!(Devices::<T>::contains_key(&device));
	}

	#[benchmark]
	fn assert_location() {
		let owner = funded::<T>("owner");
		let key = register::<T>(&owner);
		let device = device_id::<T>(&key);
		// Worst case: a re-assertion (the old location is replaced and announced).
		Pallet::<T>::do_assert_location(owner.clone(), device.clone(), res12_cell(), 10, 1)
			.expect("first assertion works");
		let later =
			frame_system::Pallet::<T>::block_number().saturating_add(T::LocationCooldown::get());
		frame_system::Pallet::<T>::set_block_number(later);
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), device.clone(), res12_cell(), 81, 12);
		assert_eq!(
			Devices::<T>::get(&device).and_then(|d| d.location).map(|l| l.gain_dbi_x10),
			Some(81)
		);
	}

	#[benchmark]
	fn transfer_device() {
		let owner = funded::<T>("owner");
		let new_owner = funded::<T>("new-owner");
		let key = register::<T>(&owner);
		let device = device_id::<T>(&key);
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), device.clone(), new_owner.clone());
		assert_eq!(crate::TransferOffers::<T>::get(&device), Some(new_owner));
	}

	#[benchmark]
	fn accept_device() {
		let owner = funded::<T>("owner");
		let new_owner = funded::<T>("new-owner");
		let key = register::<T>(&owner);
		let device = device_id::<T>(&key);
		Pallet::<T>::do_transfer_device(owner, device.clone(), new_owner.clone()).expect("offered");
		#[extrinsic_call]
		_(RawOrigin::Signed(new_owner.clone()), device.clone());
		assert_eq!(Devices::<T>::get(&device).map(|d| d.owner), Some(new_owner));
	}

	#[benchmark]
	fn cancel_transfer() {
		let owner = funded::<T>("owner");
		let new_owner = funded::<T>("new-owner");
		let key = register::<T>(&owner);
		let device = device_id::<T>(&key);
		Pallet::<T>::do_transfer_device(owner.clone(), device.clone(), new_owner).expect("offered");
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), device.clone());
		assert!(!crate::TransferOffers::<T>::contains_key(&device));
	}

	#[benchmark]
	fn deregister_device() {
		let owner = funded::<T>("owner");
		let key = register::<T>(&owner);
		let device = device_id::<T>(&key);
		#[extrinsic_call]
		_(RawOrigin::Signed(owner), device.clone());
		assert!(!Devices::<T>::contains_key(&device));
	}

	#[benchmark]
	fn set_device_status() -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner");
		let device = device_id::<T>(&register::<T>(&owner));
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, device.clone(), DeviceStatus::Suspended);
		assert_eq!(Devices::<T>::get(&device).map(|d| d.status), Some(DeviceStatus::Suspended));
		Ok(())
	}

	#[benchmark]
	fn deny_edge() -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner");
		let a = device_id::<T>(&register::<T>(&owner));
		let b = device_id::<T>(&register::<T>(&owner));
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, a, b);
		Ok(())
	}

	#[benchmark]
	fn allow_edge() -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner");
		let a = device_id::<T>(&register::<T>(&owner));
		let b = device_id::<T>(&register::<T>(&owner));
		Pallet::<T>::do_set_edge(a.clone(), b.clone(), true).expect("deny works");
		let origin =
			T::AdminOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, a, b);
		Ok(())
	}

	#[benchmark]
	fn heartbeat() {
		let owner = funded::<T>("owner");
		let key = register::<T>(&owner);
		let device = device_id::<T>(&key);
		let signature = heartbeat_signature::<T>(&key, 0);
		#[extrinsic_call]
		_(RawOrigin::Authorized, device.clone(), 0, signature);
		assert_eq!(Reports::<T>::get(&device).next_nonce, 1);
	}

	#[benchmark]
	fn authorize_heartbeat() -> Result<(), BenchmarkError> {
		let owner = funded::<T>("owner");
		let key = register::<T>(&owner);
		let device = device_id::<T>(&key);
		let call =
			Call::<T>::heartbeat { device, nonce: 0, signature: heartbeat_signature::<T>(&key, 0) };
		#[block]
		{
			call.authorize(TransactionSource::External)
				.ok_or("heartbeat is authorizable")?
				.map_err(|_| "the heartbeat is valid")?;
		}
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_test_ext(), crate::mock::Test);
}
