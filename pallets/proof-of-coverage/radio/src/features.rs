//! The fraud features of a witness report that passed every deterministic check: the
//! fixed vector the validators' coverage-fraud model scores. Computed by the chain when it
//! verifies the witness and by the device agent when it writes a training set, with this
//! one function.
//!
//! Every feature is an integer in the unit its name gives and lies within ±32,767, so it
//! travels to the model unchanged in Q16.16 (`value · 2^16`).
//!
//! | # | name | unit | what |
//! |---|---|---|---|
//! | 0 | `margin_db_x10` | 0.1 dB | the free-space limit minus the reported RSSI (≥ 0 for a passing report), capped at 300 dB |
//! | 1 | `snr_db_x10` | 0.1 dB | the reported SNR |
//! | 2 | `snr_gap_db_x10` | 0.1 dB | SNR − (RSSI − noise floor of −117 dBm), within ±200 dB |
//! | 3 | `distance_dam` | 10 m | beaconer to witness, between cell centres |
//! | 4 | `heard` | count | the witness's remembered valid reports (at most 16) |
//! | 5 | `distinct_heard` | count | distinct beaconers among them |
//! | 6 | `mutual_peers` | count | of those, the ones that also witnessed the witness's own beacons (its last 16 witnesses) |
//! | 7 | `same_owner` | 0/1 | the witness and the beaconer have one owner |
//! | 8 | `hex_hotspots` | count | hotspots in the witness's resolution-8 hex (HIP-17 count) |
//!
//! The history (4–6) is what the witness had *before* this report: the chain reads it,
//! computes the features, then records the report ([`PeerHistory::record`]).

use codec::{Decode, Encode, MaxEncodedLen};

/// How many features.
pub const FEATURES: usize = 9;

/// A witness's features, in [`FEATURE_NAMES`]' order and units.
pub type Features = [i32; FEATURES];

/// The features' names, in order.
pub const FEATURE_NAMES: [&str; FEATURES] = [
	"margin_db_x10",
	"snr_db_x10",
	"snr_gap_db_x10",
	"distance_dam",
	"heard",
	"distinct_heard",
	"mutual_peers",
	"same_owner",
	"hex_hotspots",
];

/// The largest magnitude of a feature: Q16.16 holds it.
pub const FEATURE_LIMIT: i32 = 32_767;

/// The noise floor the SNR gap is measured against: thermal noise over 125 kHz plus a
/// 6 dB noise figure, tenths of dBm.
pub const NOISE_FLOOR_DBM_X10: i32 = -1_170;

/// How many peers a hotspot's history remembers in each direction.
pub const HISTORY_LEN: usize = 16;

/// A peer as the history remembers it: the first 8 bytes of its account id (finding a
/// second key with the same 8 bytes takes about 2^64 tries).
pub type PeerTag = [u8; 8];

/// The tag of an account id.
pub fn peer_tag(account: &[u8; 32]) -> PeerTag {
	let mut tag = [0u8; 8];
	tag.copy_from_slice(&account[..8]);
	tag
}

/// The last [`HISTORY_LEN`] peers, oldest overwritten first.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, MaxEncodedLen)]
#[cfg_attr(feature = "scale-info", derive(scale_info::TypeInfo))]
pub struct Recent {
	/// The ring's slots; the first `len` are filled.
	pub tags: [PeerTag; HISTORY_LEN],
	/// How many slots are filled.
	pub len: u8,
	/// The slot the next peer goes into.
	pub next: u8,
}

impl Recent {
	/// Remembers `tag`, forgetting the oldest when full.
	pub fn push(&mut self, tag: PeerTag) {
		let slot = usize::from(self.next) % HISTORY_LEN;
		if let Some(place) = self.tags.get_mut(slot) {
			*place = tag;
		}
		self.next = ((slot + 1) % HISTORY_LEN) as u8;
		self.len = self.len.saturating_add(1).min(HISTORY_LEN as u8);
	}

	/// The remembered peers, in slot order.
	pub fn peers(&self) -> &[PeerTag] {
		let len = usize::from(self.len).min(HISTORY_LEN);
		self.tags.get(..len).unwrap_or(&[])
	}

	/// Whether `tag` is remembered.
	pub fn contains(&self, tag: &PeerTag) -> bool {
		self.peers().contains(tag)
	}

	/// The distinct peers, first occurrence in slot order.
	fn distinct(&self) -> impl Iterator<Item = &PeerTag> {
		let peers = self.peers();
		peers
			.iter()
			.enumerate()
			.filter(|(i, tag)| !peers[..*i].contains(tag))
			.map(|(_, t)| t)
	}
}

/// A hotspot's recent valid witness reports, both ways.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Encode, Decode, MaxEncodedLen)]
#[cfg_attr(feature = "scale-info", derive(scale_info::TypeInfo))]
pub struct PeerHistory {
	/// The beaconers it witnessed.
	pub heard: Recent,
	/// The witnesses of its beacons.
	pub heard_by: Recent,
}

impl PeerHistory {
	/// Records a valid report: `witness` heard `beaconer`.
	pub fn record(witness: &mut PeerHistory, beaconer: &mut PeerHistory, w: PeerTag, b: PeerTag) {
		witness.heard.push(b);
		beaconer.heard_by.push(w);
	}

	/// Distinct beaconers it heard that also heard it.
	pub fn mutual_peers(&self) -> u32 {
		self.heard.distinct().filter(|tag| self.heard_by.contains(tag)).count() as u32
	}
}

/// What the features of one passing witness report are computed from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct WitnessFacts {
	/// Reported RSSI, tenths of dBm.
	pub rssi_dbm_x10: i16,
	/// Reported SNR, tenths of dB.
	pub snr_db_x10: i16,
	/// The free-space limit for this pair, milli-dBm ([`crate::fspl::max_rssi_milli_dbm`]).
	pub limit_milli_dbm: i64,
	/// Beaconer to witness, metres.
	pub distance_m: u64,
	/// Whether one owner holds both.
	pub same_owner: bool,
	/// Hotspots in the witness's resolution-8 hex.
	pub hex_hotspots: u32,
}

fn clamp(value: i64, limit: i32) -> i32 {
	value.clamp(-i64::from(limit), i64::from(limit)) as i32
}

/// The feature vector of a passing report, given the witness's history before it.
pub fn features(facts: &WitnessFacts, witness: &PeerHistory) -> Features {
	let rssi = i64::from(facts.rssi_dbm_x10);
	let margin = facts.limit_milli_dbm.saturating_sub(rssi.saturating_mul(100)).div_euclid(100);
	let snr = i64::from(facts.snr_db_x10);
	let gap = snr.saturating_sub(rssi.saturating_sub(i64::from(NOISE_FLOOR_DBM_X10)));
	let distance = facts.distance_m.saturating_add(5) / 10;
	[
		clamp(margin, 3_000).max(0),
		clamp(snr, FEATURE_LIMIT),
		clamp(gap, 2_000),
		clamp(i64::try_from(distance).unwrap_or(i64::MAX), FEATURE_LIMIT),
		i32::from(witness.heard.len),
		witness.heard.distinct().count() as i32,
		clamp(i64::from(witness.mutual_peers()), FEATURE_LIMIT),
		i32::from(facts.same_owner),
		clamp(i64::from(facts.hex_hotspots), FEATURE_LIMIT),
	]
}

#[cfg(test)]
mod tests {
	use super::*;
	use proptest::prelude::*;

	fn tag(n: u8) -> PeerTag {
		[n; 8]
	}

	#[test]
	fn the_ring_keeps_the_last_sixteen() {
		let mut recent = Recent::default();
		for n in 0..20u8 {
			recent.push(tag(n));
		}
		assert_eq!(recent.len, 16);
		assert!(!recent.contains(&tag(3)));
		assert!(recent.contains(&tag(4)) && recent.contains(&tag(19)));
	}

	#[test]
	fn a_ring_of_four_looks_like_one() {
		// Five hotspots that only witness each other, round after round.
		let mut histories = [PeerHistory::default(); 5];
		for _ in 0..4 {
			for b in 0..5usize {
				for w in (0..5usize).filter(|w| *w != b) {
					let (mut wh, mut bh) = (histories[w], histories[b]);
					PeerHistory::record(&mut wh, &mut bh, tag(w as u8), tag(b as u8));
					histories[w] = wh;
					histories[b] = PeerHistory { heard: histories[b].heard, heard_by: bh.heard_by };
				}
			}
		}
		let facts = WitnessFacts {
			rssi_dbm_x10: -1000,
			snr_db_x10: 50,
			limit_milli_dbm: -90_000,
			distance_m: 2_004,
			same_owner: true,
			hex_hotspots: 3,
		};
		let f = features(&facts, &histories[0]);
		assert_eq!(f, [100, 50, 50 - (-1000 + 1170), 200, 16, 4, 4, 1, 3]);
	}

	#[test]
	fn a_report_at_the_free_space_limit_has_no_margin() {
		let facts = WitnessFacts {
			rssi_dbm_x10: -905,
			snr_db_x10: 100,
			limit_milli_dbm: -90_450,
			distance_m: 100_000,
			same_owner: false,
			hex_hotspots: 100_000,
		};
		let f = features(&facts, &PeerHistory::default());
		// −90.45 dBm − (−90.5) = 0.05 dB: rounded down to 0 tenths.
		assert_eq!(f[0], 0);
		assert_eq!(f[3], 10_000);
		assert_eq!(f[8], FEATURE_LIMIT);
		assert_eq!(&f[4..8], &[0, 0, 0, 0]);
	}

	proptest! {
		#[test]
		fn every_feature_fits_q16_16(
			rssi in any::<i16>(),
			snr in any::<i16>(),
			limit in -10_000_000i64..10_000_000,
			distance in any::<u64>(),
			same in any::<bool>(),
			hex in any::<u32>(),
			peers in proptest::collection::vec(0u8..40, 0..64),
		) {
			let mut history = PeerHistory::default();
			for (i, p) in peers.iter().enumerate() {
				if i % 2 == 0 { history.heard.push(tag(*p)) } else { history.heard_by.push(tag(*p)) }
			}
			let facts = WitnessFacts {
				rssi_dbm_x10: rssi,
				snr_db_x10: snr,
				limit_milli_dbm: limit,
				distance_m: distance,
				same_owner: same,
				hex_hotspots: hex,
			};
			let f = features(&facts, &history);
			prop_assert!(f.iter().all(|v| v.abs() <= FEATURE_LIMIT));
			prop_assert!(f[5] <= f[4] && f[6] <= f[5] && f[4] <= HISTORY_LEN as i32);
		}
	}
}
