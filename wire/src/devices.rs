//! Device identity: the kinds of device, what a maker signs to attest one, what a device
//! signs to consent to its registration, and the two envelopes of every device report.

use crate::tags;
use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};

/// The kinds of devices Assay knows. The SCALE index of each variant is part of what
/// makers and devices sign.
#[derive(
	Clone, Copy, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen,
)]
#[cfg_attr(feature = "scale-info", derive(scale_info::TypeInfo))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum DeviceKind {
	/// A radio hotspot (proof of coverage).
	Hotspot,
	/// An environmental or other sensor.
	Sensor,
	/// An energy meter (energy market).
	EnergyMeter,
	/// An electric-vehicle charger.
	EvCharger,
	/// A drone.
	Drone,
	/// A compute node (GPU box).
	ComputeNode,
}

impl DeviceKind {
	/// Every kind, in index order.
	pub const ALL: [DeviceKind; 6] = [
		DeviceKind::Hotspot,
		DeviceKind::Sensor,
		DeviceKind::EnergyMeter,
		DeviceKind::EvCharger,
		DeviceKind::Drone,
		DeviceKind::ComputeNode,
	];

	/// The variant's name, as Polkadot.js and the JS helpers spell it.
	pub const fn name(self) -> &'static str {
		match self {
			DeviceKind::Hotspot => "Hotspot",
			DeviceKind::Sensor => "Sensor",
			DeviceKind::EnergyMeter => "EnergyMeter",
			DeviceKind::EvCharger => "EvCharger",
			DeviceKind::Drone => "Drone",
			DeviceKind::ComputeNode => "ComputeNode",
		}
	}

	/// The kind with this name, if any.
	pub fn from_name(name: &str) -> Option<DeviceKind> {
		Self::ALL.into_iter().find(|kind| kind.name() == name)
	}
}

/// What a maker signs to attest a device: `("assay/maker-attest", device_id, kind)`.
pub fn maker_attestation<AccountId: Encode>(device: &AccountId, kind: DeviceKind) -> Vec<u8> {
	(tags::MAKER_ATTEST, device, kind).encode()
}

/// What a device signs to consent to its registration:
/// `("assay/register", genesis_hash, owner, kind, registrations)`, where `registrations`
/// (u32) is how many times the device has been registered before (0 for a new device). A
/// consent is good for one registration: once the device is deregistered, it cannot be
/// replayed to register it again.
pub fn registration<Hash: Encode, AccountId: Encode>(
	genesis_hash: &Hash,
	owner: &AccountId,
	kind: DeviceKind,
	registrations: u32,
) -> Vec<u8> {
	(tags::REGISTER, genesis_hash, owner, kind, registrations).encode()
}

/// What a device signs for a report with a nonce:
/// `("assay/report", genesis_hash, nonce, payload)`.
pub fn report<Hash: Encode>(genesis_hash: &Hash, nonce: u64, payload: &[u8]) -> Vec<u8> {
	(tags::REPORT, genesis_hash, nonce, payload).encode()
}

/// What a device signs for a report without a nonce, kept unique by the calling pallet's
/// storage: `("assay/unique-report", genesis_hash, payload)`.
pub fn unique_report<Hash: Encode>(genesis_hash: &Hash, payload: &[u8]) -> Vec<u8> {
	(tags::UNIQUE_REPORT, genesis_hash, payload).encode()
}

/// The payload of a heartbeat: `("assay/heartbeat", device)`.
pub fn heartbeat_payload<AccountId: Encode>(device: &AccountId) -> Vec<u8> {
	(tags::HEARTBEAT, device).encode()
}

/// The pool tag a nonce report provides: `("assay/report", device, nonce)`. The next nonce
/// of the same device requires the previous one's tag.
pub fn report_pool_tag<AccountId: Encode>(device: &AccountId, nonce: u64) -> Vec<u8> {
	(tags::REPORT, device, nonce).encode()
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn kind_names_round_trip_and_indices_are_positions() {
		for (index, kind) in DeviceKind::ALL.into_iter().enumerate() {
			assert_eq!(DeviceKind::from_name(kind.name()), Some(kind));
			assert_eq!(kind.encode(), [index as u8]);
		}
		assert_eq!(DeviceKind::from_name("Toaster"), None);
	}

	#[test]
	fn messages_are_domain_separated() {
		let device = [1u8; 32];
		let attest = maker_attestation(&device, DeviceKind::Hotspot);
		let register = registration(&[0u8; 32], &device, DeviceKind::Hotspot, 0);
		assert_ne!(register, registration(&[0u8; 32], &device, DeviceKind::Hotspot, 1));
		assert!(attest.starts_with(&tags::MAKER_ATTEST.encode()));
		assert!(register.starts_with(&tags::REGISTER.encode()));
		assert_ne!(attest, register);
		let payload = heartbeat_payload(&device);
		assert_ne!(report(&[0u8; 32], 0, &payload), report(&[0u8; 32], 1, &payload));
		assert_ne!(report(&[0u8; 32], 0, &payload)[1..], unique_report(&[0u8; 32], &payload)[1..]);
	}
}
