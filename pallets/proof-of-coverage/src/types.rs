//! Types stored and returned by proof of coverage.

pub use crate::checks::{Region, WitnessRejection};
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::{
	frame_support::{traits::ConstU32, BoundedVec},
	sp_arithmetic::FixedU128,
};
use scale_info::TypeInfo;

/// A beacon's id: sequential from 0, so beacons are pruned in the order they came.
pub use assay_wire::coverage::BeaconId;

/// The index of an entropy value: `block / EntropyPeriod` of the block that drew it.
pub use assay_wire::coverage::EntropyIndex;

/// A reward epoch: `block / RewardEpoch`.
pub type EpochIndex = u32;

/// The most witnesses rewarded per beacon (14).
pub use crate::selection::MaxSelected;

/// The longest storage key a verification cursor holds.
pub type MaxCursorLen = ConstU32<128>;

/// The protocol's parameters (DESIGN §4), set at genesis and by the admin origin.
#[derive(
	Clone,
	PartialEq,
	Eq,
	Debug,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	serde::Serialize,
	serde::Deserialize,
)]
pub struct CoverageParams<BlockNumber, Balance> {
	/// Blocks between two entropy values (10).
	pub entropy_period: BlockNumber,
	/// Blocks an entropy value may be used for after it is drawn (30).
	pub entropy_lifespan: BlockNumber,
	/// At most one beacon per hotspot per this many blocks, bucketed as
	/// `block / beacon_window` (3,600).
	pub beacon_window: BlockNumber,
	/// Blocks after a beacon during which witnesses may report it (5).
	pub witness_window: BlockNumber,
	/// Blocks after the witness window during which the beaconer may reveal (5).
	pub reveal_window: BlockNumber,
	/// A witness must itself have beaconed, and been heard, within this many blocks
	/// (28,800).
	pub reciprocity_window: BlockNumber,
	/// Blocks per reward epoch (14,400).
	pub reward_epoch: BlockNumber,
	/// Minted per reward epoch, shared by the epoch's beaconers and witnesses.
	pub coverage_emission: Balance,
	/// Blocks a beacon and its witnesses' verdicts are kept after the beacon (14,400).
	pub retention: BlockNumber,
}

/// Where a beacon is in its life.
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
pub enum BeaconPhase {
	/// Submitted; witnesses report it, then the beaconer reveals. Past the reveal window
	/// without a reveal it has expired and earns nothing.
	Open,
	/// Revealed; its witnesses are being verified (a few per block).
	Verifying,
	/// Verified and rewarded.
	Verified {
		/// Witnesses that passed every check.
		valid: u32,
		/// Witnesses rewarded (at most 14).
		selected: u32,
	},
}

/// A beacon.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct Beacon<AccountId, BlockNumber> {
	/// The hotspot that sent it.
	pub beaconer: AccountId,
	/// The entropy value it used (index and value, kept so the reveal does not depend on
	/// the entropy still being stored).
	pub entropy_index: EntropyIndex,
	/// The entropy value.
	pub entropy: [u8; 32],
	/// `blake2_256(local_entropy)`.
	pub commitment: [u8; 32],
	/// Transmit power, dBm.
	pub tx_power_dbm: i16,
	/// The frequency it was sent on, Hz.
	pub frequency_hz: u64,
	/// The beaconer's regional plan.
	pub region: Region,
	/// The block that included it.
	pub submitted_at: BlockNumber,
	/// The last block of its witness window (fixed at submission, so a witness report
	/// needs no parameter read).
	pub witness_until: BlockNumber,
	/// `blake2_256(entropy ‖ local_entropy)`, once revealed.
	pub payload: Option<[u8; 32]>,
	/// Where it is.
	pub phase: BeaconPhase,
}

/// What became of a witness report.
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
pub enum Verdict {
	/// Not verified yet.
	Pending,
	/// Passed every check but was not among the 14 drawn for rewards.
	Valid,
	/// Passed every check and was drawn for rewards.
	Selected,
	/// Failed the first check named.
	Invalid(WitnessRejection),
}

/// A witness report.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct Witness<BlockNumber> {
	/// `blake2_256(payload ‖ witness_id)`.
	pub commitment: [u8; 32],
	/// Received signal strength, tenths of dBm.
	pub rssi_dbm_x10: i16,
	/// Signal-to-noise ratio, tenths of dB.
	pub snr_db_x10: i16,
	/// The frequency it heard, Hz.
	pub frequency_hz: u64,
	/// The witness's regional plan.
	pub region: Region,
	/// The block that included it.
	pub received_at: BlockNumber,
	/// The outcome of verification.
	pub verdict: Verdict,
}

/// A hotspot's signed witness report as a relay (its gateway software, a packet router,
/// a fleet agent) forwards it in a batch: the same fields and signature as
/// `submit_witness` (the layout is `assay_wire::RelayedWitness`).
pub type RelayedWitness<AccountId> =
	assay_wire::RelayedWitness<AccountId, polkadot_sdk::sp_runtime::MultiSignature>;

/// The running state of a beacon's verification.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct Verification<AccountId> {
	/// The revealed payload.
	pub payload: [u8; 32],
	/// Randomness drawn after the reveal, for the selection draws; `None` until the
	/// block's randomness is known.
	pub seed: Option<[u8; 32]>,
	/// The raw storage key of the last witness verified (`None`: start from the first).
	pub cursor: Option<BoundedVec<u8, MaxCursorLen>>,
	/// The best draws so far, lowest first: (draw, witness).
	pub best: BoundedVec<([u8; 32], AccountId), MaxSelected>,
	/// Witnesses that passed every check.
	pub valid: u32,
	/// Whether a witness passed every check except, possibly, reciprocity: the beacon
	/// was heard, which makes the beaconer reciprocal for its own witness reports.
	pub heard: bool,
	/// The beaconer's owner at the reveal: whose `QueuedOf` count the beacon holds.
	pub owner: AccountId,
}

/// An owner's reward units in one epoch.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct Units {
	/// Scaled units earned as beaconer.
	pub beaconer: FixedU128,
	/// Scaled units earned as witness.
	pub witness: FixedU128,
}

/// An epoch's totals.
#[derive(
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct EpochTotals<Balance> {
	/// The emission of the epoch, fixed when its first units were earned.
	pub emission: Balance,
	/// All owners' units.
	pub units: Units,
	/// Paid out so far.
	pub paid: Balance,
}

/// One witness as the runtime API shows it.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct WitnessView<AccountId, BlockNumber> {
	/// The witness hotspot.
	pub witness: AccountId,
	/// Its report and verdict.
	pub report: Witness<BlockNumber>,
}

/// A beacon as the runtime API shows it: the record, whether it expired unrevealed, and
/// each witness with its verdict.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct BeaconView<AccountId, BlockNumber> {
	/// The beacon.
	pub beacon: Beacon<AccountId, BlockNumber>,
	/// Past its reveal window without a reveal.
	pub expired: bool,
	/// Its witnesses.
	pub witnesses: alloc::vec::Vec<WitnessView<AccountId, BlockNumber>>,
}

/// An owner's rewards of one epoch as the runtime API shows them.
#[derive(Clone, PartialEq, Eq, Debug, Encode, Decode, TypeInfo)]
pub struct PendingReward<Balance> {
	/// The epoch.
	pub epoch: EpochIndex,
	/// What the owner's units are worth at the epoch's current totals.
	pub amount: Balance,
	/// Whether the epoch is over, so `claim_rewards(epoch)` pays `amount`.
	pub claimable: bool,
}

/// The bound of `AwaitingSeed`: two blocks of reveals (the previous block's wait for this
/// block's randomness while this block's arrive).
pub struct AwaitingSeedBound<T>(core::marker::PhantomData<T>);

impl<T: crate::Config> polkadot_sdk::sp_core::Get<u32> for AwaitingSeedBound<T> {
	fn get() -> u32 {
		T::MaxRevealsPerBlock::get().saturating_mul(2)
	}
}
