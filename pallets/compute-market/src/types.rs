//! Types stored and exchanged by the compute market.

// The derives (TypeInfo, DecodeWithMemTracking) add where-bounds on the generic types, which
// clippy counts as a second place for the bounds the NoBound derives need on the struct.
#![allow(clippy::multiple_bound_locations)]

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use polkadot_sdk::{
	frame_support::{BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound},
	sp_core::Get,
};
use scale_info::TypeInfo;

/// Why a provider's node refused a model (reported with `report_models`).
pub use assay_inference::ModelRefusal;

/// A model's id: `blake2_256` of its ONNX file's bytes.
pub type ModelId = [u8; 32];

/// A job's id, counted from 0.
pub type JobId = u64;

/// The default fraction bits F of quantized outputs: `q = round_half_even(y · 2^F)`.
pub const DEFAULT_FRACTION_BITS: u8 = 16;

/// The default relative tolerance, in parts per million (1e-3).
pub const DEFAULT_RELATIVE_TOLERANCE_PPM: u32 = 1_000;

/// The most fraction bits a model may use (an output of magnitude 1 must still fit an i32
/// with room to spare).
pub const MAX_FRACTION_BITS: u8 = 24;

/// The default absolute tolerance for `fraction_bits`: `2^(F−13)`, at least 1 unit.
pub fn default_absolute_tolerance(fraction_bits: u8) -> u32 {
	1u32 << fraction_bits.saturating_sub(13).min(31)
}

/// The largest absolute tolerance a model may declare for `fraction_bits`: `2^(F−4)` units,
/// 1/16 in real units (512 times the default), at least 1 unit. Beyond it, outputs that
/// differ in substance would agree.
pub fn max_absolute_tolerance(fraction_bits: u8) -> u32 {
	1u32 << fraction_bits.saturating_sub(4).min(31)
}

/// The largest relative tolerance a model may declare, ppm (5 %, 50 times the default).
/// At 100 % any two outputs of the same sign would agree.
pub const MAX_RELATIVE_TOLERANCE_PPM: u32 = 50_000;

/// What a registrar says about a model. Tolerances left out take the defaults
/// (`2^(F−13)` units absolute, 1000 ppm relative).
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	serde::Serialize,
	serde::Deserialize,
)]
#[scale_info(skip_type_params(MaxNameLen, MaxUriLen))]
#[serde(bound = "")]
pub struct ModelMeta<MaxNameLen: Get<u32>, MaxUriLen: Get<u32>> {
	/// Display name.
	pub name: BoundedVec<u8, MaxNameLen>,
	/// Number of input elements. A job's input is that many little-endian i32 values,
	/// fixed point with `fraction_bits` (4 bytes each).
	pub input_len: u32,
	/// Number of output elements.
	pub output_len: u32,
	/// Fraction bits F of the fixed-point input and the quantized output.
	pub fraction_bits: u8,
	/// Whether the output is class scores: then agreeing outputs must also have the same
	/// argmax.
	pub classifier: bool,
	/// Absolute tolerance in output units (default `2^(F−13)`, at most `2^(F−4)`).
	pub absolute_tolerance: Option<u32>,
	/// Relative tolerance in parts per million (default 1000, i.e. 1e-3; at most 50 000).
	pub relative_tolerance_ppm: Option<u32>,
	/// Where validators' nodes fetch the ONNX file from: an `http://` or `https://`
	/// address. Left out, only nodes that already have the file serve the model.
	pub uri: Option<BoundedVec<u8, MaxUriLen>>,
	/// The size of the ONNX file in bytes (at least 1, at most `MaxModelSize`); fetchers
	/// refuse a larger download.
	pub size: u32,
	/// Where its model card is (data and licence, split, features, held-out metric against
	/// a naive baseline): an address or a repository path, shown as given.
	pub card: Option<BoundedVec<u8, MaxUriLen>>,
}

/// A registered model.
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
#[scale_info(skip_type_params(MaxNameLen, MaxUriLen))]
pub struct ModelInfo<
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Balance: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxNameLen: Get<u32>,
	MaxUriLen: Get<u32>,
> {
	/// Who registered it; only they may deregister it.
	pub registrar: AccountId,
	/// The deposit held from the registrar.
	pub deposit: Balance,
	/// Display name.
	pub name: BoundedVec<u8, MaxNameLen>,
	/// Number of input elements (little-endian i32, fixed point with `fraction_bits`).
	pub input_len: u32,
	/// Number of output elements.
	pub output_len: u32,
	/// Fraction bits F of inputs and quantized outputs.
	pub fraction_bits: u8,
	/// Whether agreeing outputs must also have the same argmax.
	pub classifier: bool,
	/// Absolute tolerance, output units.
	pub absolute_tolerance: u32,
	/// Relative tolerance, parts per million.
	pub relative_tolerance_ppm: u32,
	/// Where validators' nodes fetch the ONNX file from (`http://` or `https://`).
	pub uri: Option<BoundedVec<u8, MaxUriLen>>,
	/// How many open jobs use it; it can be deregistered only at 0.
	pub open_jobs: u32,
	/// The size of the ONNX file in bytes (0 for models registered before sizes were
	/// recorded: storage version 1).
	pub size: u32,
	/// Where its model card is.
	pub card: Option<BoundedVec<u8, MaxUriLen>>,
}

impl<
		AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
		Balance: Clone + PartialEq + Eq + core::fmt::Debug,
		MaxNameLen: Get<u32>,
		MaxUriLen: Get<u32>,
	> ModelInfo<AccountId, Balance, MaxNameLen, MaxUriLen>
{
	/// The tolerance the agreement check uses for this model.
	pub fn tolerance(&self) -> crate::agreement::Tolerance {
		crate::agreement::Tolerance {
			classifier: self.classifier,
			row_len: self.output_len,
			absolute: self.absolute_tolerance,
			relative_ppm: self.relative_tolerance_ppm,
		}
	}

	/// The rows in a job input of `input_bytes` bytes: `None` unless it is a whole,
	/// non-zero number of rows of `input_len` i32 values.
	pub fn rows(&self, input_bytes: usize) -> Option<u32> {
		let row = (self.input_len as usize).checked_mul(4).filter(|&row| row > 0)?;
		if input_bytes == 0 || !input_bytes.is_multiple_of(row) {
			return None;
		}
		u32::try_from(input_bytes / row).ok()
	}

	/// The output length of a job input of `input_bytes` bytes: `output_len` per row.
	pub fn output_len_for(&self, input_bytes: usize) -> Option<usize> {
		(self.rows(input_bytes)? as usize).checked_mul(self.output_len as usize)
	}
}

/// A compute provider: the account of a validator's `infr` key.
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
#[scale_info(skip_type_params(MaxModels, StrikeLimit))]
pub struct ProviderInfo<
	Balance: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxModels: Get<u32>,
	StrikeLimit: Get<u32>,
> {
	/// The bond held from it; slashes take from here.
	pub bond: Balance,
	/// The models it serves.
	pub models: BoundedVec<ModelId, MaxModels>,
	/// Not assigned jobs before this block (after striking out).
	pub suspended_until: Option<BlockNumber>,
	/// Set once it unregistered: from this block its bond can be withdrawn.
	pub unbonding_at: Option<BlockNumber>,
	/// Jobs it is assigned to that have not finished.
	pub open_assignments: u32,
	/// Assignments finished so far (the clock strikes are counted against).
	pub jobs_served: u32,
	/// The `jobs_served` count at each recent strike (those within `StrikeWindow` jobs).
	pub strikes: BoundedVec<u32, StrikeLimit>,
}

/// Why a worker could not produce an output.
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
pub enum InferenceFailure {
	/// The worker does not have the model (it advertised it: counts as a strike).
	ModelUnavailable,
	/// The input does not fit the model.
	BadInput,
	/// The model failed at run time on this input.
	RuntimeError,
	/// The model's output does not have the registered length or is not finite.
	BadOutput,
}

/// One assigned worker's progress on a job.
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
#[scale_info(skip_type_params(MaxOutputLen))]
pub enum WorkState<MaxOutputLen: Get<u32>> {
	/// Assigned, nothing submitted yet.
	Assigned,
	/// Committed to `blake2_256(job ‖ worker ‖ salt ‖ output)`.
	Committed([u8; 32]),
	/// Revealed an output matching its commitment.
	Revealed(BoundedVec<i32, MaxOutputLen>),
	/// Reported that it could not run the model.
	Failed(InferenceFailure),
}

/// A worker assigned to a job.
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
#[scale_info(skip_type_params(MaxOutputLen))]
pub struct Assignment<AccountId: Clone + PartialEq + Eq + core::fmt::Debug, MaxOutputLen: Get<u32>>
{
	/// The worker (provider account).
	pub worker: AccountId,
	/// `blake2_256(seed ‖ worker)`: the assignment hash it was chosen by (lowest first);
	/// also the tie-break between equally agreed outputs.
	pub rank: [u8; 32],
	/// What it submitted so far.
	pub work: WorkState<MaxOutputLen>,
}

/// Why a job failed. The fee was refunded: in full, or less `UnservedJobFee` for
/// `TooFewProviders` (a job nobody could take).
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
pub enum JobFailure {
	/// Fewer than n eligible providers serve the model.
	TooFewProviders,
	/// No assigned worker committed within the commit window.
	NoCommitments,
	/// Fewer than k outputs agreed.
	NoAgreement,
	/// Workers reported that the model could not run on this input, and fewer than k
	/// outputs agreed.
	InferenceFailed(InferenceFailure),
}

/// Where a job is in its life.
#[derive(
	Clone, PartialEq, Eq, Debug, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub enum JobPhase<BlockNumber> {
	/// Submitted; assigned in the next block with randomness.
	Pending,
	/// Workers commit until block `until` (exclusive).
	Committing {
		/// The block the commit window ends at.
		until: BlockNumber,
	},
	/// Workers reveal until block `until` (exclusive).
	Revealing {
		/// The block the reveal window ends at.
		until: BlockNumber,
	},
	/// Finished with an agreed result.
	Completed {
		/// When.
		at: BlockNumber,
	},
	/// Finished without a result; the fee was refunded.
	Failed {
		/// When.
		at: BlockNumber,
		/// Why.
		reason: JobFailure,
	},
}

/// A job.
#[derive(
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
#[scale_info(skip_type_params(MaxInputLen, MaxOutputLen, MaxRedundancy))]
pub struct JobInfo<
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Balance: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxInputLen: Get<u32>,
	MaxOutputLen: Get<u32>,
	MaxRedundancy: Get<u32>,
> {
	/// Who submitted and pays for it.
	pub owner: AccountId,
	/// The model to run.
	pub model: ModelId,
	/// The input: one or more rows of the model's `input_len` little-endian i32 values,
	/// fixed point with the model's F.
	pub input: BoundedVec<u8, MaxInputLen>,
	/// The fee, held in escrow while the job is open.
	pub fee: Balance,
	/// How many workers run it.
	pub redundancy: u32,
	/// How many agreeing outputs complete it.
	pub quorum: u32,
	/// When it was submitted.
	pub submitted_at: BlockNumber,
	/// Where it is.
	pub phase: JobPhase<BlockNumber>,
	/// While open: the block its next step is due at; once finished: the block its record
	/// is pruned at.
	pub due: BlockNumber,
	/// The assigned workers, in assignment order (lowest rank first).
	pub assignments: BoundedVec<Assignment<AccountId, MaxOutputLen>, MaxRedundancy>,
	/// The agreed output: the element-wise lower median of the agreeing cluster.
	pub result: Option<BoundedVec<i32, MaxOutputLen>>,
}

impl<
		AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
		Balance: Clone + PartialEq + Eq + core::fmt::Debug,
		BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
		MaxInputLen: Get<u32>,
		MaxOutputLen: Get<u32>,
		MaxRedundancy: Get<u32>,
	> JobInfo<AccountId, Balance, BlockNumber, MaxInputLen, MaxOutputLen, MaxRedundancy>
{
	/// Whether the job still holds its fee (pending, committing or revealing).
	pub fn is_open(&self) -> bool {
		matches!(
			self.phase,
			JobPhase::Pending | JobPhase::Committing { .. } | JobPhase::Revealing { .. }
		)
	}

	/// The assignment of `worker`, if it is assigned.
	pub fn assignment_index(&self, worker: &AccountId) -> Option<usize> {
		self.assignments.iter().position(|a| &a.worker == worker)
	}
}

/// Why a provider's bond was slashed.
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
pub enum SlashReason {
	/// It committed to a result and never revealed it.
	NoReveal,
	/// It collected `StrikeLimit` strikes within `StrikeWindow` jobs.
	Strikes,
	/// Governance slashed it.
	Governance,
}

/// Why a provider got a strike.
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
pub enum StrikeReason {
	/// Its output disagreed with the agreed cluster.
	Outlier,
	/// It was assigned and submitted nothing within the commit window.
	NoShow,
	/// It reported not having a model it advertised.
	ModelUnavailable,
	/// It reported that the job could not run (bad input, runtime error, bad output)
	/// while a cluster of other workers agreed on a result.
	FailureContradicted,
}
