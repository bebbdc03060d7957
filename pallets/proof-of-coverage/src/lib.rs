//! # pallet-proof-of-coverage
//!
//! Helium's proof of coverage, made deterministic and on chain (DESIGN §4).
//!
//! - **Entropy**: every `entropy_period` blocks the pallet draws
//!   `entropy[k] = derive_seed("assay/poc-entropy", R, k)` from the chain's randomness
//!   helper (BABE, in `on_finalize`); a beacon may use it for `entropy_lifespan` blocks.
//! - **Beacon** (`submit_beacon`, device-signed, nonce-ordered): a located, Active hotspot
//!   commits to `blake2_256(local_entropy)` and declares tx power, frequency and region;
//!   one beacon per hotspot per `beacon_window` bucket. Its payload is
//!   `blake2_256(entropy ‖ local_entropy)`, its channel `u16_le(payload[0..2]) mod n` of
//!   the region's plan — known to the beaconer, secret to everyone else until the reveal.
//! - **Witness** (`submit_witness`, device-signed, unique per (beacon, witness) so it needs
//!   no nonce): during `witness_window` blocks, a hotspot that heard the beacon reports
//!   `blake2_256(payload ‖ witness_id)`, RSSI, SNR, frequency and region. A report copied
//!   from another witness does not verify.
//! - **Reveal** (`reveal_beacon`, device-signed): after the witness window, within
//!   `reveal_window` blocks. The payload must open the commitment and select the declared
//!   frequency. The selection seed is drawn at the end of the block *after* the one that
//!   includes the reveal, from that block's VRF output: the author that chose to include
//!   the reveal did not know it (the bias that remains is in the README, *Randomness*).
//! - **Verification**, a few witnesses per block (`MaxVerificationsPerBlock`): the checks
//!   of DESIGN §4.5 in order (module [`checks`]), each witness's verdict stored; of the
//!   valid witnesses at most 14 are selected by the lowest
//!   `blake2_256(seed ‖ beacon ‖ witness)` ([`selection`]).
//! - **Rewards**: HIP-15 units ([`reward_units`]) scaled by HIP-17 hex density
//!   ([`density`], kept incrementally from the device registry's location hook, a few cells
//!   per block) accrue to the owners per reward epoch; after the epoch owners call
//!   `claim_rewards(epoch)` and are paid their share of the epoch's `coverage_emission`
//!   (20 % beaconers, 80 % witnesses, [`epoch_rewards`]), minted and recorded as Coverage
//!   earnings. Nothing iterates over all devices.
//!
//! Reads are the runtime API `CoverageApi`.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

mod beacon_impls;
pub mod checks;
pub mod density;
mod density_impls;
pub mod epoch_rewards;
pub use assay_radio::{features, fspl, geodesy};
use features::{Features, PeerHistory};
#[cfg(any(feature = "try-runtime", feature = "std"))]
mod invariants;
pub mod reward_units;
mod rewards_impls;
pub mod runtime_api;
pub mod selection;
mod tick_impls;
pub mod types;
mod views;
pub mod weights;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;

pub use types::*;
pub use weights::WeightInfo;

/// The domain tag of entropy values.
pub const ENTROPY_DOMAIN: &[u8] = assay_wire::tags::POC_ENTROPY;
/// The domain tag of witness-selection seeds.
pub const SELECTION_DOMAIN: &[u8] = assay_wire::tags::POC_SELECTION;

/// The hex whose hotspots a witness's `hex_hotspots` feature counts: HIP-17's resolution 8.
pub const FEATURE_HEX_RESOLUTION: h3o::Resolution = h3o::Resolution::Eight;

/// What benchmarks need from the runtime.
#[cfg(feature = "runtime-benchmarks")]
pub trait BenchmarkHelper<AccountId> {
	/// Registers the sr25519 key `device` (in the benchmark keystore) as a hotspot of
	/// `owner` through the device registry and asserts its location at resolution-12 `cell`.
	fn located_hotspot(
		device: polkadot_sdk::sp_core::sr25519::Public,
		owner: &AccountId,
		cell: u64,
	);
	/// Makes the seed source answer in the current block.
	fn set_randomness();
}

// A report's call carries every signed field (a beacon: eight), and `authorize` closures take
// them all: FRAME expands both into functions and types clippy finds long.
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
#[polkadot_sdk::frame_support::pallet]
pub mod pallet {
	use super::*;
	use assay_primitives::{DeviceRegistry, DeviceReports, Earnings, SeedSource};
	use polkadot_sdk::{
		frame_support::{
			pallet_prelude::*,
			traits::fungible::{Inspect, Mutate},
		},
		frame_system::{self, pallet_prelude::*},
		sp_runtime::{AccountId32, MultiSignature},
	};

	/// The layout version of this pallet's storage: a runtime upgrade that changes a
	/// stored type (a bounded vector's bound included) bumps it and migrates.
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	/// The pallet.
	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// The balance type of the currency rewards are minted in.
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;
	/// The protocol parameters of this runtime.
	pub type ParamsOf<T> = CoverageParams<BlockNumberFor<T>, BalanceOf<T>>;
	/// A beacon of this runtime.
	pub type BeaconOf<T> = Beacon<<T as frame_system::Config>::AccountId, BlockNumberFor<T>>;
	/// A witness report of this runtime.
	pub type WitnessOf<T> = Witness<BlockNumberFor<T>>;

	/// Configuration of proof of coverage. Accounts convert to and from `AccountId32`
	/// because a hotspot's id is the account of its own key.
	#[pallet::config]
	#[pallet::disable_frame_system_supertrait_check]
	pub trait Config:
		frame_system::Config<AccountId: From<AccountId32> + Into<AccountId32>>
	{
		/// The currency rewards are minted in.
		type Currency: Mutate<Self::AccountId>;
		/// Who sets the parameters (root for now).
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;
		/// Devices: owners, kinds, statuses, locations, denied edges.
		type Devices: DeviceRegistry<Self::AccountId, BlockNumberFor<Self>>;
		/// The one device-signed report mechanism.
		type Reports: DeviceReports<Self::AccountId, MultiSignature>;
		/// The chain's randomness helper.
		type Seeds: SeedSource;
		/// The earnings ledger.
		type Earnings: Earnings<Self::AccountId, BalanceOf<Self>>;
		/// The most beacons revealed per block.
		#[pallet::constant]
		type MaxRevealsPerBlock: Get<u32>;
		/// The most revealed beacons waiting for verification.
		#[pallet::constant]
		type MaxVerifyQueue: Get<u32>;
		/// The verification budget per block, in witness verifications: a block spends at
		/// most this many times `verify_witness`'s weight (finishing a beacon is charged its
		/// own weight against the same budget).
		#[pallet::constant]
		type MaxVerificationsPerBlock: Get<u32>;
		/// The most hex-density cells recomputed per block.
		#[pallet::constant]
		type MaxDensityStepsPerBlock: Get<u32>;
		/// The most old witness reports deleted per block.
		#[pallet::constant]
		type MaxPruneStepsPerBlock: Get<u32>;
		/// The most witness reports one relayed batch carries.
		#[pallet::constant]
		type MaxWitnessBatch: Get<u32>;
		/// The most witness reports a beacon keeps. When full, a report ranked below the
		/// worst kept one (`rank(seed(beacon's chain entropy, beacon), witness)`) takes its
		/// place; others are refused. Not first come: a fleet that floods every beacon gets
		/// its fair share of places, not all of them.
		#[pallet::constant]
		type MaxWitnessesPerBeacon: Get<u32>;
		/// The most witness reports one hotspot makes per beacon window.
		#[pallet::constant]
		type MaxWitnessReportsPerWindow: Get<u32>;
		/// The most of one owner's beacons waiting for verification at once (revealed, not
		/// finished), so one party cannot fill the verification queue.
		#[pallet::constant]
		type MaxQueuedPerOwner: Get<u32>;
		/// Weights from this pallet's benchmarks.
		type WeightInfo: WeightInfo;
		/// Prepares hotspots for benchmarks.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: crate::BenchmarkHelper<Self::AccountId>;
	}

	/// The protocol parameters.
	#[pallet::storage]
	pub type Params<T: Config> = StorageValue<_, ParamsOf<T>, OptionQuery>;

	/// Entropy values by index: (value, the block that drew it).
	#[pallet::storage]
	pub type Entropy<T: Config> =
		StorageMap<_, Twox64Concat, EntropyIndex, ([u8; 32], BlockNumberFor<T>)>;

	/// The newest entropy index drawn.
	#[pallet::storage]
	pub type LatestEntropy<T: Config> = StorageValue<_, EntropyIndex, OptionQuery>;

	/// Beacons by id, kept `retention` blocks.
	#[pallet::storage]
	pub type Beacons<T: Config> = StorageMap<_, Twox64Concat, BeaconId, BeaconOf<T>>;

	/// The id the next beacon gets.
	#[pallet::storage]
	pub type NextBeaconId<T: Config> = StorageValue<_, BeaconId, ValueQuery>;

	/// The beacon-window bucket (`block / beacon_window`) of each hotspot's last beacon.
	#[pallet::storage]
	pub type LastBeaconBucket<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, BlockNumberFor<T>>;

	/// Witness reports: (beacon, witness) → report and verdict.
	#[pallet::storage]
	pub type Witnesses<T: Config> =
		StorageDoubleMap<_, Twox64Concat, BeaconId, Blake2_128Concat, T::AccountId, WitnessOf<T>>;

	/// Each open beacon's kept witnesses, lowest roster rank first: at most
	/// `MaxWitnessesPerBeacon`, removed when the beacon is revealed or pruned.
	#[pallet::storage]
	pub type Rosters<T: Config> = StorageMap<
		_,
		Twox64Concat,
		BeaconId,
		BoundedVec<([u8; 32], T::AccountId), T::MaxWitnessesPerBeacon>,
		ValueQuery,
	>;

	/// Each hotspot's witness reports in the current beacon window: (window bucket, count).
	#[pallet::storage]
	pub type WitnessBudget<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, (BlockNumberFor<T>, u32)>;

	/// How many of each owner's beacons wait for verification (revealed, not finished).
	#[pallet::storage]
	pub type QueuedOf<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// Revealed beacons waiting for their selection seed, oldest first. Those revealed in
	/// earlier blocks are seeded at the end of this block, with this block's randomness;
	/// the last `RevealedThisBlock` of them were revealed in this block and wait for the
	/// next block's, which the author that included their reveals could not know.
	#[pallet::storage]
	pub type AwaitingSeed<T: Config> =
		StorageValue<_, BoundedVec<BeaconId, AwaitingSeedBound<T>>, ValueQuery>;

	/// How many of `AwaitingSeed`'s beacons were revealed in this block (cleared at its end).
	#[pallet::storage]
	pub type RevealedThisBlock<T: Config> = StorageValue<_, u32, ValueQuery>;

	/// Seeded beacons whose witnesses are being verified, oldest first.
	#[pallet::storage]
	pub type VerifyQueue<T: Config> =
		StorageValue<_, BoundedVec<BeaconId, T::MaxVerifyQueue>, ValueQuery>;

	/// The running verification of each revealed beacon.
	#[pallet::storage]
	pub type Verifications<T: Config> =
		StorageMap<_, Twox64Concat, BeaconId, Verification<T::AccountId>>;

	/// The block of each hotspot's last beacon that was heard (a witness passed every
	/// check but reciprocity): what makes it reciprocal as a witness.
	#[pallet::storage]
	pub type LastHeard<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, BlockNumberFor<T>>;

	/// Each hotspot's recent valid witness reports, both ways (the last 16 beaconers it
	/// witnessed and the last 16 witnesses of its beacons, by 8-byte tag): the history the
	/// fraud features read.
	#[pallet::storage]
	pub type PeerHistories<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, PeerHistory, ValueQuery>;

	/// The fraud features of each witness that passed every check, computed at its
	/// verification (`assay_radio::features`): (beacon, witness) → features. Pruned with
	/// the beacon.
	#[pallet::storage]
	pub type WitnessFeatures<T: Config> =
		StorageDoubleMap<_, Twox64Concat, BeaconId, Blake2_128Concat, T::AccountId, Features>;

	/// Hex-density counts by H3 cell (resolutions 4 … 11).
	#[pallet::storage]
	pub type CellCounts<T: Config> = StorageMap<_, Twox64Concat, u64, density::Counts>;

	/// Cells waiting to be recomputed, by queue position.
	#[pallet::storage]
	pub type DensityQueue<T: Config> = StorageMap<_, Twox64Concat, u32, u64>;

	/// (head, tail) of the density queue.
	#[pallet::storage]
	pub type DensityQueueBounds<T: Config> = StorageValue<_, (u32, u32), ValueQuery>;

	/// Cells in the density queue (each is queued once).
	#[pallet::storage]
	pub type DensityQueued<T: Config> = StorageMap<_, Twox64Concat, u64, ()>;

	/// Each owner's reward units per epoch, until claimed.
	#[pallet::storage]
	pub type OwnerUnits<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, EpochIndex, Units>;

	/// Each epoch's emission, total units and payouts.
	#[pallet::storage]
	pub type Epochs<T: Config> = StorageMap<_, Twox64Concat, EpochIndex, EpochTotals<BalanceOf<T>>>;

	/// The oldest beacon id not pruned yet.
	#[pallet::storage]
	pub type PruneCursor<T: Config> = StorageValue<_, BeaconId, ValueQuery>;

	/// Events of proof of coverage.
	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A new entropy value may be used by beacons.
		EntropyDrawn {
			/// Its index.
			index: EntropyIndex,
		},
		/// A hotspot sent a beacon.
		BeaconSubmitted {
			/// The beacon.
			beacon: BeaconId,
			/// The hotspot.
			beaconer: T::AccountId,
			/// The entropy it used.
			entropy_index: EntropyIndex,
			/// The frequency it was sent on, Hz.
			frequency_hz: u64,
		},
		/// A hotspot reported hearing a beacon.
		WitnessReported {
			/// The beacon.
			beacon: BeaconId,
			/// The witness hotspot.
			witness: T::AccountId,
		},
		/// A witness report was left out: a better-ranked report took its place in the
		/// beacon's full roster, or (relayed in a batch that was valid as a whole) it found
		/// the roster full or its hotspot's budget spent as the batch was applied. It still
		/// counts against its hotspot's budget.
		WitnessDropped {
			/// The beacon.
			beacon: BeaconId,
			/// The witness hotspot whose report was dropped.
			witness: T::AccountId,
		},
		/// A relayed report was refused when its batch was dispatched (the relay pays the
		/// batch's fee); the batch's other reports stand.
		RelayedWitnessRefused {
			/// The beacon the report was about.
			beacon: BeaconId,
			/// The witness hotspot named in the report.
			witness: T::AccountId,
			/// The check it failed.
			error: DispatchError,
		},
		/// The beaconer revealed its local entropy; verification follows.
		BeaconRevealed {
			/// The beacon.
			beacon: BeaconId,
			/// `blake2_256(entropy ‖ local_entropy)`.
			payload: [u8; 32],
		},
		/// A beacon's witnesses are verified and its rewards accrued.
		BeaconVerified {
			/// The beacon.
			beacon: BeaconId,
			/// Witnesses that passed every check.
			valid: u32,
			/// Witnesses rewarded.
			selected: u32,
			/// The epoch the units count in.
			epoch: EpochIndex,
		},
		/// An owner was paid an epoch's rewards.
		RewardsClaimed {
			/// The owner.
			owner: T::AccountId,
			/// The epoch.
			epoch: EpochIndex,
			/// The amount minted to the owner.
			amount: BalanceOf<T>,
		},
		/// The admin set new parameters.
		ParamsSet {
			/// The parameters.
			params: ParamsOf<T>,
		},
	}

	/// Why a proof-of-coverage call or report was refused. Reports refused in the pool
	/// carry `InvalidTransaction::Custom(64 + this error's index)`.
	#[pallet::error]
	pub enum Error<T> {
		/// The device is not a hotspot.
		NotAHotspot,
		/// The hotspot has not asserted a location.
		NotLocated,
		/// No entropy value with this index has been drawn (or it was pruned).
		UnknownEntropy,
		/// The entropy value is older than `entropy_lifespan` blocks.
		EntropyExpired,
		/// The hotspot already beaconed in this beacon window.
		AlreadyBeaconed,
		/// The frequency is not a channel of the region's plan.
		NotAChannel,
		/// Transmit power outside −10 … 36 dBm.
		InvalidTxPower,
		/// No beacon with this id.
		UnknownBeacon,
		/// The beacon's witness window has closed.
		WitnessWindowClosed,
		/// This hotspot already reported this beacon.
		DuplicateWitness,
		/// Only the beaconer reveals its beacon.
		NotBeaconer,
		/// The beacon is already revealed.
		AlreadyRevealed,
		/// The witness window is still open.
		RevealTooEarly,
		/// The reveal window has closed: the beacon expired.
		RevealWindowClosed,
		/// `blake2_256(local_entropy)` is not the beacon's commitment.
		CommitmentMismatch,
		/// The payload selects another channel than the frequency the beacon declared.
		WrongChannel,
		/// The most reveals per block were already included; reveal in the next block.
		TooManyReveals,
		/// The verification queue is full; reveal in a later block.
		VerifyQueueFull,
		/// The epoch is not over yet.
		EpochNotOver,
		/// The caller has no units in this epoch (or claimed them already).
		NothingToClaim,
		/// Minting the reward failed (below the existential deposit).
		MintFailed,
		/// Parameters out of range: every window and period at least one block.
		InvalidParams,
		/// The pallet has no parameters yet.
		NotConfigured,
		/// `reward_epoch` cannot change once set: epochs are indexed by it, and a new length
		/// would put new units into epochs already claimed.
		RewardEpochFixed,
		/// The report's region is not the beacon's.
		WrongRegion,
		/// The report's frequency is more than 100 kHz from the beacon's.
		WrongFrequency,
		/// The witness is farther from the beaconer than any signal carries (100 km).
		TooFar,
		/// The beacon keeps `MaxWitnessesPerBeacon` reports, all ranked below this one.
		RosterFull,
		/// The hotspot made `MaxWitnessReportsPerWindow` witness reports in this beacon
		/// window.
		WitnessBudgetSpent,
		/// The owner has `MaxQueuedPerOwner` beacons waiting for verification.
		OwnerQueueFull,
		/// A relayed batch must carry at least one report.
		EmptyBatch,
		/// A relayed report's device is unknown or not Active, or its signature does not
		/// verify.
		InvalidWitnessSignature,
	}

	/// Genesis: the parameters (shorter windows in development presets).
	#[pallet::genesis_config]
	#[derive(polkadot_sdk::frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The parameters; `None` leaves the pallet unconfigured until the admin sets them.
		pub params: Option<ParamsOf<T>>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			if let Some(params) = &self.params {
				if Pallet::<T>::check_params(params).is_ok() {
					Params::<T>::put(params);
				} else {
					log::error!(target: "runtime::proof-of-coverage", "genesis params out of range, ignored");
				}
			}
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Verifies witnesses, recomputes hex-density cells and prunes old beacons, each
		/// bounded per block; reserves the weight of this block's entropy draw.
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			Self::do_on_initialize(now)
		}

		/// Draws entropy when due and the selection seeds of beacons revealed in earlier
		/// blocks. This runs after BABE's `on_finalize`, so both use this block's VRF output;
		/// a beacon revealed in this block waits for the next block's.
		fn on_finalize(now: BlockNumberFor<T>) {
			Self::do_on_finalize(now);
		}

		fn integrity_test() {
			assert!(T::MaxRevealsPerBlock::get() >= 1, "MaxRevealsPerBlock must be at least 1");
			assert!(
				T::MaxVerifyQueue::get() >= T::MaxRevealsPerBlock::get(),
				"MaxVerifyQueue must hold a block's reveals"
			);
			assert!(
				T::MaxVerificationsPerBlock::get() >= 1,
				"MaxVerificationsPerBlock must be at least 1"
			);
			assert!(
				T::MaxWitnessesPerBeacon::get() >= crate::selection::MAX_REWARDED_WITNESSES,
				"a beacon must keep at least as many reports as are rewarded"
			);
			assert!(
				T::MaxWitnessReportsPerWindow::get() >= 1,
				"MaxWitnessReportsPerWindow must be at least 1"
			);
			assert!(
				(1..T::MaxVerifyQueue::get()).contains(&T::MaxQueuedPerOwner::get()),
				"MaxQueuedPerOwner must leave room in the verification queue for others"
			);
			assert!(
				T::MaxDensityStepsPerBlock::get() >= 1,
				"MaxDensityStepsPerBlock must be at least 1"
			);
			assert!(
				T::MaxPruneStepsPerBlock::get() >= 1,
				"MaxPruneStepsPerBlock must be at least 1"
			);
			assert!(T::MaxWitnessBatch::get() >= 1, "MaxWitnessBatch must be at least 1");
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(
			_: BlockNumberFor<T>,
		) -> Result<(), polkadot_sdk::sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// A hotspot's beacon: `entropy_index` of a live entropy value,
		/// `commitment = blake2_256(local_entropy)`, transmit power (dBm), the frequency it
		/// transmits on (Hz; the channel its payload selects) and its regional plan.
		/// Device-signed (`nonce` as for every report) over
		/// `assay_wire::coverage::beacon_payload(..)`; feeless, submitted as a general transaction.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::submit_beacon())]
		#[pallet::authorize(|source, hotspot, nonce, entropy_index, commitment, tx_power_dbm, frequency_hz, region, signature| {
			Pallet::<T>::authorize_beacon(hotspot, *nonce, *entropy_index, commitment, *tx_power_dbm, *frequency_hz, *region, signature, source)
		})]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_submit_beacon())]
		pub fn submit_beacon(
			origin: OriginFor<T>,
			hotspot: T::AccountId,
			nonce: u64,
			entropy_index: EntropyIndex,
			commitment: [u8; 32],
			tx_power_dbm: i16,
			frequency_hz: u64,
			region: Region,
			signature: MultiSignature,
		) -> DispatchResult {
			frame_system::ensure_authorized(origin)?;
			let _ = signature;
			Self::do_submit_beacon(
				hotspot,
				nonce,
				entropy_index,
				commitment,
				tx_power_dbm,
				frequency_hz,
				region,
			)
		}

		/// A witness report: `witness` heard `beacon` with `commitment =
		/// blake2_256(payload ‖ witness)`, RSSI (tenths of dBm), SNR (tenths of dB), at
		/// `frequency_hz`, on its `region`'s plan. One per (beacon, witness), during the
		/// witness window. Device-signed without a nonce over
		/// `assay_wire::coverage::witness_payload(..)`; feeless, submitted as a general transaction.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::submit_witness())]
		#[pallet::authorize(|_source, witness, beacon, commitment, rssi_dbm_x10, snr_db_x10, frequency_hz, region, signature| {
			Pallet::<T>::authorize_witness(&RelayedWitness {
				witness: witness.clone(),
				beacon: *beacon,
				commitment: *commitment,
				rssi_dbm_x10: *rssi_dbm_x10,
				snr_db_x10: *snr_db_x10,
				frequency_hz: *frequency_hz,
				region: *region,
				signature: signature.clone(),
			})
		})]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_submit_witness())]
		pub fn submit_witness(
			origin: OriginFor<T>,
			witness: T::AccountId,
			beacon: BeaconId,
			commitment: [u8; 32],
			rssi_dbm_x10: i16,
			snr_db_x10: i16,
			frequency_hz: u64,
			region: Region,
			signature: MultiSignature,
		) -> DispatchResultWithPostInfo {
			frame_system::ensure_authorized(origin)?;
			let _ = signature;
			let displaced = Self::do_submit_witness(
				witness,
				beacon,
				commitment,
				rssi_dbm_x10,
				snr_db_x10,
				frequency_hz,
				region,
			)?;
			let charged = T::WeightInfo::submit_witness();
			Ok(Some(charged.saturating_sub(Self::displacement_refund(u32::from(!displaced))))
				.into())
		}

		/// The beaconer reveals `local_entropy` after the witness window, within the reveal
		/// window; its witnesses are then verified. Device-signed (`nonce`) over
		/// `assay_wire::coverage::reveal_payload(..)`; feeless, submitted as a general transaction.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::reveal_beacon().saturating_add(T::WeightInfo::draw_selection_seed()))]
		#[pallet::authorize(|source, hotspot, nonce, beacon, local_entropy, signature| {
			Pallet::<T>::authorize_reveal(hotspot, *nonce, *beacon, local_entropy, signature, source)
		})]
		#[pallet::weight_of_authorize(T::WeightInfo::authorize_reveal_beacon())]
		pub fn reveal_beacon(
			origin: OriginFor<T>,
			hotspot: T::AccountId,
			nonce: u64,
			beacon: BeaconId,
			local_entropy: [u8; 32],
			signature: MultiSignature,
		) -> DispatchResult {
			frame_system::ensure_authorized(origin)?;
			let _ = signature;
			Self::do_reveal_beacon(hotspot, nonce, beacon, local_entropy)
		}

		/// A batch of witness reports relayed for several hotspots by the signed `origin` (a
		/// gateway's operator, a packet router, a fleet agent). Each report is checked as in
		/// `submit_witness` (its cheap checks first, then its own hotspot's signature) and
		/// recorded as alone; a report that fails is skipped with `RelayedWitnessRefused`.
		/// The relay's fee is waived when every report was recorded and paid otherwise, so a
		/// batch that makes validators verify signatures for nothing costs whoever sent it.
		#[pallet::call_index(5)]
		#[pallet::weight(Pallet::<T>::relay_weight(reports.len() as u32))]
		pub fn submit_witnesses(
			origin: OriginFor<T>,
			reports: BoundedVec<RelayedWitness<T::AccountId>, T::MaxWitnessBatch>,
		) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			let charged = Self::relay_weight(reports.len() as u32);
			Self::do_relay_witnesses(reports.into_inner(), charged)
		}

		/// Pays the caller its rewards of a finished `epoch`: its share of the epoch's
		/// emission, 20 % pro rata to beaconer units and 80 % to witness units, minted to it.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::claim_rewards())]
		pub fn claim_rewards(origin: OriginFor<T>, epoch: EpochIndex) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_claim_rewards(owner, epoch)
		}

		/// Sets the protocol parameters. Admin origin only. `reward_epoch` keeps the value it
		/// was first given (a runtime upgrade with a migration may change it).
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::set_params())]
		pub fn set_params(origin: OriginFor<T>, params: ParamsOf<T>) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::check_params(&params)?;
			Self::check_reward_epoch_unchanged(&params)?;
			Params::<T>::put(&params);
			Self::deposit_event(Event::ParamsSet { params });
			Ok(())
		}
	}
}
