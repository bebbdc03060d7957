//! The checks a witness report must pass, each a small function returning a typed reason,
//! applied in the order of DESIGN §4.5 by [`verify_witness`]. Storage-dependent facts
//! (denylists, duplicates, reciprocity) come in as arguments, so the module stays pure.
//!
//! Geometry is integer throughout: `h3o`'s grid distance between resolution-11 parents,
//! and the great-circle distance between cell centres from [`crate::geodesy`] (H3's cell
//! centres and the arc length in fixed point), in whole metres.

use crate::{
	fspl::{max_rssi_milli_dbm, rssi_is_possible},
	geodesy,
};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use h3o::CellIndex;
use polkadot_sdk::sp_crypto_hashing::blake2_256;
use scale_info::TypeInfo;

/// The most two frequencies may differ, inclusive: 100 kHz.
pub const MAX_FREQUENCY_DIFFERENCE_HZ: u64 = 100_000;

/// The distance rules, shared with the device agent (`assay_radio::limits`).
pub use assay_radio::limits::{
	GRID_DISTANCE_RESOLUTION, MAX_DISTANCE_M, MIN_FALLBACK_DISTANCE_M, MIN_GRID_DISTANCE,
};

/// A LoRaWAN regional plan and its channels (the plan's index is part of what hotspots
/// sign, so it lives in `assay-wire`).
pub use assay_wire::coverage::{channel, Region};

/// `blake2_256(entropy ‖ local_entropy)`: the beacon's payload, known once revealed.
pub fn payload(entropy: &[u8; 32], local_entropy: &[u8]) -> [u8; 32] {
	blake2_256(&assay_wire::coverage::beacon_payload_preimage(entropy, local_entropy))
}

/// `blake2_256(payload ‖ witness_id)`: what a witness commits to. Bound to the witness's
/// own id, a commitment copied from another witness is worthless.
pub fn witness_commitment(payload: &[u8; 32], witness: &[u8; 32]) -> [u8; 32] {
	blake2_256(&assay_wire::coverage::witness_commitment_preimage(payload, witness))
}

/// Why a witness report is invalid, in the order the checks run.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum WitnessRejection {
	/// The beaconer or the witness is not an Active, located hotspot any more (Suspended,
	/// Denied or deregistered).
	DeniedDevice,
	/// Governance denied this pair as coverage partners.
	DeniedEdge,
	/// A hotspot cannot witness itself.
	SelfWitness,
	/// The witness already reported this beacon. (Enforced when the report arrives: a
	/// second report never enters a block, so no stored witness carries this verdict.)
	Duplicate,
	/// The commitment is not `blake2_256(payload ‖ witness)`.
	PayloadMismatch,
	/// The frequencies differ by more than 100 kHz.
	FrequencyMismatch,
	/// Beaconer and witness are in different regions.
	DifferentRegion,
	/// Fewer than 8 resolution-11 grid steps apart.
	TooClose,
	/// More than 100 km apart.
	TooFar,
	/// Stronger than free space allows.
	RssiTooHigh,
	/// The witness has not itself beaconed, and been heard, recently.
	NotReciprocal,
}

/// A hotspot's side of a beacon or witness: where, how, how loud.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Station {
	/// Its id (device account).
	pub id: [u8; 32],
	/// Its asserted cell (resolution 12).
	pub cell: CellIndex,
	/// Antenna gain, tenths of dBi.
	pub gain_dbi_x10: i16,
	/// Its region.
	pub region: Region,
	/// Whether it is Active (not Suspended or Denied).
	pub active: bool,
}

/// What the witness reported.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct WitnessReport {
	/// `blake2_256(payload ‖ witness)`.
	pub commitment: [u8; 32],
	/// Received signal, tenths of dBm.
	pub rssi_dbm_x10: i16,
	/// Frequency it heard, Hz.
	pub frequency_hz: u64,
}

/// The revealed beacon.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct BeaconFacts {
	/// Its payload.
	pub payload: [u8; 32],
	/// Transmit power, dBm.
	pub tx_power_dbm: i16,
	/// Frequency, Hz.
	pub frequency_hz: u64,
}

/// Facts from storage the checks need.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Context {
	/// Whether governance denied the (beaconer, witness) edge.
	pub edge_denied: bool,
	/// Whether this witness already reported this beacon.
	pub duplicate: bool,
	/// Whether the witness beaconed with at least one valid witness within the
	/// reciprocity window.
	pub reciprocal: bool,
}

/// Both hotspots must be Active.
pub fn check_devices(beaconer: &Station, witness: &Station) -> Result<(), WitnessRejection> {
	if beaconer.active && witness.active {
		Ok(())
	} else {
		Err(WitnessRejection::DeniedDevice)
	}
}

/// The pair must not be denied.
pub fn check_edge(context: &Context) -> Result<(), WitnessRejection> {
	if context.edge_denied {
		Err(WitnessRejection::DeniedEdge)
	} else {
		Ok(())
	}
}

/// A hotspot does not witness itself.
pub fn check_not_self(beaconer: &Station, witness: &Station) -> Result<(), WitnessRejection> {
	if beaconer.id == witness.id {
		Err(WitnessRejection::SelfWitness)
	} else {
		Ok(())
	}
}

/// One report per witness per beacon.
pub fn check_not_duplicate(context: &Context) -> Result<(), WitnessRejection> {
	if context.duplicate {
		Err(WitnessRejection::Duplicate)
	} else {
		Ok(())
	}
}

/// The commitment must bind the revealed payload to this witness.
pub fn check_payload(
	beacon: &BeaconFacts,
	witness: &Station,
	report: &WitnessReport,
) -> Result<(), WitnessRejection> {
	if witness_commitment(&beacon.payload, &witness.id) == report.commitment {
		Ok(())
	} else {
		Err(WitnessRejection::PayloadMismatch)
	}
}

/// `|f_b − f_w| ≤ 100 kHz`, inclusive.
pub fn check_frequency(beacon_hz: u64, witness_hz: u64) -> Result<(), WitnessRejection> {
	if beacon_hz.abs_diff(witness_hz) <= MAX_FREQUENCY_DIFFERENCE_HZ {
		Ok(())
	} else {
		Err(WitnessRejection::FrequencyMismatch)
	}
}

/// Both in the same region.
pub fn check_region(beaconer: &Station, witness: &Station) -> Result<(), WitnessRejection> {
	if beaconer.region == witness.region {
		Ok(())
	} else {
		Err(WitnessRejection::DifferentRegion)
	}
}

/// Grid distance between the resolution-11 parents; `None` when H3 cannot measure it
/// (cells far apart across icosahedron faces or around pentagons).
pub fn grid_distance(a: CellIndex, b: CellIndex) -> Option<u32> {
	let (a, b) = (a.parent(GRID_DISTANCE_RESOLUTION)?, b.parent(GRID_DISTANCE_RESOLUTION)?);
	a.grid_distance(b).ok().and_then(|d| u32::try_from(d).ok())
}

/// At least 8 resolution-11 steps apart. Where H3 cannot measure the grid distance (near
/// a pentagon, across an icosahedron face), the cells' centres must be at least
/// `MIN_FALLBACK_DISTANCE_M` apart: a near pair never passes for want of a grid distance.
pub fn check_min_distance(a: CellIndex, b: CellIndex) -> Result<(), WitnessRejection> {
	match grid_distance(a, b) {
		Some(d) if d < MIN_GRID_DISTANCE => Err(WitnessRejection::TooClose),
		Some(_) => Ok(()),
		None if distance_m(a, b) < MIN_FALLBACK_DISTANCE_M => Err(WitnessRejection::TooClose),
		None => Ok(()),
	}
}

/// Great-circle distance between the cells' centres, whole metres, in integers
/// ([`geodesy::distance_m`]: no floats on the consensus path).
pub fn distance_m(a: CellIndex, b: CellIndex) -> u64 {
	geodesy::distance_m(a, b)
}

/// At most 100 km apart.
pub fn check_max_distance(distance_m: u64) -> Result<(), WitnessRejection> {
	if distance_m <= MAX_DISTANCE_M {
		Ok(())
	} else {
		Err(WitnessRejection::TooFar)
	}
}

/// The RSSI must not exceed what free space allows over `distance_m`; passing, the limit
/// in milli-dBm.
pub fn check_rssi(
	beacon: &BeaconFacts,
	beaconer: &Station,
	witness: &Station,
	report: &WitnessReport,
	distance_m: u64,
) -> Result<i64, WitnessRejection> {
	let limit = max_rssi_milli_dbm(
		beacon.tx_power_dbm,
		beaconer.gain_dbi_x10,
		witness.gain_dbi_x10,
		distance_m.max(1),
		report.frequency_hz,
	)
	.ok_or(WitnessRejection::RssiTooHigh)?;
	if rssi_is_possible(report.rssi_dbm_x10, limit) {
		Ok(limit)
	} else {
		Err(WitnessRejection::RssiTooHigh)
	}
}

/// The witness must itself have beaconed with a valid witness recently.
pub fn check_reciprocity(context: &Context) -> Result<(), WitnessRejection> {
	if context.reciprocal {
		Ok(())
	} else {
		Err(WitnessRejection::NotReciprocal)
	}
}

/// What a witness that passed every check measured: the inputs of its fraud features.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Passed {
	/// Beaconer to witness between cell centres, metres.
	pub distance_m: u64,
	/// The free-space RSSI limit for the pair, milli-dBm.
	pub limit_milli_dbm: i64,
}

/// Every check, in the order of DESIGN §4.5; the first failure is the verdict.
pub fn verify_witness(
	beacon: &BeaconFacts,
	beaconer: &Station,
	witness: &Station,
	report: &WitnessReport,
	context: &Context,
) -> Result<Passed, WitnessRejection> {
	check_devices(beaconer, witness)?;
	check_edge(context)?;
	check_not_self(beaconer, witness)?;
	check_not_duplicate(context)?;
	check_payload(beacon, witness, report)?;
	check_frequency(beacon.frequency_hz, report.frequency_hz)?;
	check_region(beaconer, witness)?;
	check_min_distance(beaconer.cell, witness.cell)?;
	let distance_m = distance_m(beaconer.cell, witness.cell);
	check_max_distance(distance_m)?;
	let limit_milli_dbm = check_rssi(beacon, beaconer, witness, report, distance_m)?;
	check_reciprocity(context)?;
	Ok(Passed { distance_m, limit_milli_dbm })
}

#[cfg(test)]
mod tests {
	use super::*;
	use h3o::{LatLng, Resolution};
	use proptest::prelude::*;

	fn res12(lat: f64, lng: f64) -> CellIndex {
		LatLng::new(lat, lng).unwrap().to_cell(Resolution::Twelve)
	}

	/// A resolution-12 cell whose resolution-11 parent is exactly `k` steps from `origin`'s.
	fn at_grid_distance(origin: CellIndex, k: u32) -> CellIndex {
		let parent = origin.parent(GRID_DISTANCE_RESOLUTION).unwrap();
		let ring: alloc::vec::Vec<CellIndex> = parent.grid_ring(k);
		ring[0].center_child(Resolution::Twelve).unwrap()
	}

	fn station(id: u8, cell: CellIndex) -> Station {
		Station { id: [id; 32], cell, gain_dbi_x10: 30, region: Region::Eu868, active: true }
	}

	/// A beacon heard by a witness ~2 km away at a plausible RSSI: every check passes.
	fn scene() -> (BeaconFacts, Station, Station, WitnessReport, Context) {
		let beaconer = station(1, res12(38.7223, -9.1393));
		let witness = station(2, res12(38.7380, -9.1320));
		let payload = payload(&[7u8; 32], b"local entropy");
		let frequency_hz = channel(&payload, Region::Eu868);
		let beacon = BeaconFacts { payload, tx_power_dbm: 27, frequency_hz };
		let report = WitnessReport {
			commitment: witness_commitment(&payload, &witness.id),
			rssi_dbm_x10: -1000,
			frequency_hz,
		};
		(
			beacon,
			beaconer,
			witness,
			report,
			Context { edge_denied: false, duplicate: false, reciprocal: true },
		)
	}

	#[test]
	fn a_plausible_witness_passes_every_check() {
		let (b, bs, ws, r, c) = scene();
		assert!(verify_witness(&b, &bs, &ws, &r, &c).is_ok());
	}

	#[test]
	fn each_failure_has_its_reason_in_order() {
		let (b, bs, ws, r, c) = scene();
		let inactive = Station { active: false, ..ws };
		assert_eq!(verify_witness(&b, &bs, &inactive, &r, &c), Err(WitnessRejection::DeniedDevice));
		// A denied edge is reported before anything later, even a self-witness.
		let denied = Context { edge_denied: true, ..c };
		assert_eq!(verify_witness(&b, &bs, &bs, &r, &denied), Err(WitnessRejection::DeniedEdge));
		assert_eq!(verify_witness(&b, &bs, &bs, &r, &c), Err(WitnessRejection::SelfWitness));
		assert_eq!(
			verify_witness(&b, &bs, &ws, &r, &Context { duplicate: true, ..c }),
			Err(WitnessRejection::Duplicate)
		);
		let other = station(3, ws.cell);
		// Witness 3 copied witness 2's commitment from the mempool.
		assert_eq!(verify_witness(&b, &bs, &other, &r, &c), Err(WitnessRejection::PayloadMismatch));
		let us = Station { region: Region::Us915, ..ws };
		assert_eq!(verify_witness(&b, &bs, &us, &r, &c), Err(WitnessRejection::DifferentRegion));
		assert_eq!(
			verify_witness(&b, &bs, &ws, &r, &Context { reciprocal: false, ..c }),
			Err(WitnessRejection::NotReciprocal)
		);
	}

	#[test]
	fn frequency_boundary_is_inclusive() {
		assert_eq!(check_frequency(867_900_000, 868_000_000), Ok(()));
		assert_eq!(check_frequency(867_900_000, 867_800_000), Ok(()));
		assert_eq!(
			check_frequency(867_900_000, 868_000_001),
			Err(WitnessRejection::FrequencyMismatch)
		);
		assert_eq!(
			check_frequency(867_900_000, 867_799_999),
			Err(WitnessRejection::FrequencyMismatch)
		);
	}

	#[test]
	fn grid_distance_seven_is_too_close_eight_is_not() {
		let origin = res12(38.7223, -9.1393);
		let seven = at_grid_distance(origin, 7);
		let eight = at_grid_distance(origin, 8);
		assert_eq!(grid_distance(origin, seven), Some(7));
		assert_eq!(grid_distance(origin, eight), Some(8));
		assert_eq!(check_min_distance(origin, seven), Err(WitnessRejection::TooClose));
		assert_eq!(check_min_distance(origin, eight), Ok(()));
		// Two res-12 cells under one res-11 parent are 0 steps apart.
		let parent = origin.parent(GRID_DISTANCE_RESOLUTION).unwrap();
		let sibling = parent.center_child(Resolution::Twelve).unwrap();
		assert_eq!(check_min_distance(origin, sibling), Err(WitnessRejection::TooClose));
	}

	/// Issue 15, item 4. Before: where H3 could not measure the grid distance (near a
	/// pentagon), a pair passed the minimum distance whatever its real distance.
	#[test]
	fn a_near_pair_h3_cannot_measure_is_too_close() {
		let mut near_pairs = 0;
		for pentagon in Resolution::Eleven.pentagons().take(4) {
			let disk: Vec<CellIndex> = pentagon.grid_disk(4);
			for a in &disk {
				for b in &disk {
					if a.grid_distance(*b).is_ok() {
						continue;
					}
					let (a, b) = (
						a.center_child(Resolution::Twelve).unwrap(),
						b.center_child(Resolution::Twelve).unwrap(),
					);
					if distance_m(a, b) < MIN_FALLBACK_DISTANCE_M {
						assert_eq!(check_min_distance(a, b), Err(WitnessRejection::TooClose));
						near_pairs += 1;
					}
				}
			}
		}
		assert!(near_pairs > 0, "no near pair that H3 cannot measure");
	}

	#[test]
	fn one_hundred_km_is_the_limit() {
		assert_eq!(check_max_distance(100_000), Ok(()));
		assert_eq!(check_max_distance(100_001), Err(WitnessRejection::TooFar));
		// Lisbon to Porto is ~275 km.
		let d = distance_m(res12(38.7223, -9.1393), res12(41.1579, -8.6291));
		assert!((270_000..280_000).contains(&d), "{d}");
		let (b, bs, ws, r, c) = scene();
		let porto = Station { cell: res12(41.1579, -8.6291), ..ws };
		assert_eq!(verify_witness(&b, &bs, &porto, &r, &c), Err(WitnessRejection::TooFar));
	}

	#[test]
	fn rssi_just_below_the_limit_passes_and_just_above_fails() {
		let (b, bs, ws, mut r, _) = scene();
		let d = distance_m(bs.cell, ws.cell);
		let limit =
			max_rssi_milli_dbm(b.tx_power_dbm, bs.gain_dbi_x10, ws.gain_dbi_x10, d, r.frequency_hz)
				.unwrap();
		// The largest tenth of a dBm at or under the limit, and the next one up.
		let at = limit.div_euclid(100) as i16;
		r.rssi_dbm_x10 = at;
		assert_eq!(check_rssi(&b, &bs, &ws, &r, d), Ok(limit));
		r.rssi_dbm_x10 = at + 1;
		assert_eq!(check_rssi(&b, &bs, &ws, &r, d), Err(WitnessRejection::RssiTooHigh));
	}

	#[test]
	fn channels_come_from_the_payload() {
		let mut p = [0u8; 32];
		p[0] = 9; // 9 mod 8 = 1
		assert_eq!(channel(&p, Region::Eu868), 867_300_000);
		assert_eq!(channel(&p, Region::Us915), 904_100_000);
	}

	proptest! {
		#[test]
		fn a_copied_commitment_never_verifies(payload in any::<[u8; 32]>(), a in any::<[u8; 32]>(), b in any::<[u8; 32]>()) {
			prop_assume!(a != b);
			prop_assert_ne!(witness_commitment(&payload, &a), witness_commitment(&payload, &b));
		}

		#[test]
		fn frequency_check_is_symmetric(a in 800_000_000u64..1_000_000_000, b in 800_000_000u64..1_000_000_000) {
			prop_assert_eq!(check_frequency(a, b), check_frequency(b, a));
		}
	}
}
