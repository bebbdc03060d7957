//! # assay-inference
//!
//! Validator inference for Assay (DESIGN §6), one crate compiled twice:
//!
//! - `no_std`, in the runtime: the `infer` host function's declaration
//!   ([`inference::infer`]) and its error type.
//! - `std`, in the node: the host side, which reads an [`InferenceEngine`] from the
//!   [`InferenceExt`] externalities extension and answers [`InferenceError::NotAvailable`]
//!   where there is none. The node registers the extension only for off-chain workers, so
//!   block import, transaction validation and RPC never run a model.
//! - with the `engine` feature, in the node: [`engine::OrtEngine`], ONNX Runtime through
//!   `ort` with the library loaded at run time, and its Prometheus metrics.
//!
//! Values cross the boundary in fixed point: the input is the job's bytes, little-endian
//! i32 values `round(x · 2^F)`; the output is a SCALE `Vec<i32>` of
//! `round_half_even(y · 2^F)`.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use sp_runtime_interface::{
	pass_by::{AllocateAndReturnByCodec, PassFatPointerAndRead, PassPointerAndReadCopy},
	runtime_interface,
};

#[cfg(feature = "std")]
pub mod fixed_point;

#[cfg(feature = "engine")]
pub mod engine;

/// Why an inference gave no output.
#[derive(Encode, Decode, Clone, Copy, PartialEq, Eq, Debug, scale_info::TypeInfo)]
pub enum InferenceError {
	/// No engine here: not an off-chain worker, or a node started without
	/// `--inference-models` / `--onnxruntime-lib`.
	NotAvailable,
	/// The engine has no model with this id.
	UnknownModel,
	/// The input does not fit the model: not a whole number of i32 values, not a whole
	/// non-zero number of rows of the model's input length, more than one row for a model
	/// without a batch dimension, or more rows than the engine takes in one call.
	BadInput,
	/// The model failed while running.
	RuntimeError,
	/// The model's output is not finite, or not one output row per input row.
	BadOutput,
}

/// Why a node's engine does not serve a registered model (the model fetcher's verdict,
/// reported on chain by the worker).
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	scale_info::TypeInfo,
)]
pub enum ModelRefusal {
	/// No http(s) address to fetch it from, and the node's cache does not have it.
	NoSource,
	/// The address could not be reached, answered with an error, or did not send the
	/// whole file in time.
	Unreachable,
	/// The file is larger than the size the model was registered with, or than the
	/// node's limit.
	TooLarge,
	/// The file's blake2-256 hash is not the model id.
	WrongHash,
	/// ONNX Runtime refuses the file: it is not ONNX, or it uses operators this release
	/// does not support.
	NotLoadable,
	/// The model's input or output does not have the registered length.
	WrongShape,
}

/// What a node's engine serves and what it refused, as the off-chain worker reads it.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, Default, scale_info::TypeInfo)]
pub struct EngineModels {
	/// The loaded models, by id, ascending.
	pub served: Vec<[u8; 32]>,
	/// Models the node tried and refused, with why, by id, ascending.
	pub refused: Vec<([u8; 32], ModelRefusal)>,
}

/// What the node plugs in behind the host function.
#[cfg(feature = "std")]
pub trait InferenceEngine: Send + Sync {
	/// The models it serves and the ones it refused.
	fn models(&self) -> EngineModels;

	/// Runs `model_id` on fixed-point `input` (F fraction bits): B rows of the model's input
	/// length N one after another (`[B, N]`), and returns the quantized output rows one
	/// after another (`[B, M]`).
	fn infer(
		&self,
		model_id: &[u8; 32],
		fraction_bits: u8,
		input: &[i32],
	) -> Result<Vec<i32>, InferenceError>;

	/// What the host function calls: [`Self::infer`] on `input` given as little-endian i32
	/// values, its output returned SCALE-encoded (`Vec<i32>`). An engine may override it to
	/// go from bytes to the model and back without the intermediate vectors; the answer
	/// must be the same.
	fn infer_encoded(
		&self,
		model_id: &[u8; 32],
		fraction_bits: u8,
		input: &[u8],
	) -> Result<Vec<u8>, InferenceError> {
		let values = decode_input(input).ok_or(InferenceError::BadInput)?;
		self.infer(model_id, fraction_bits, &values).map(|output| output.encode())
	}
}

#[cfg(feature = "std")]
polkadot_sdk::sp_externalities::decl_extension! {
	/// The inference engine, registered by the node only for the `offchain_worker` call.
	pub struct InferenceExt(alloc::sync::Arc<dyn InferenceEngine>);
}

/// Decodes little-endian i32 values; `None` unless the length is a multiple of 4.
pub fn decode_input(bytes: &[u8]) -> Option<Vec<i32>> {
	if !bytes.len().is_multiple_of(4) {
		return None;
	}
	Some(
		bytes
			.chunks_exact(4)
			.map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]))
			.collect(),
	)
}

/// The `infer` host function.
#[runtime_interface]
pub trait Inference {
	/// Runs the model `model_id` on `input` (little-endian i32 values in fixed point with
	/// `fraction_bits`): a batch of B rows of the model's input length N, one after another
	/// (`[B, N]`; B = 1 is a single item). Returns the SCALE-encoded `Vec<i32>` of its
	/// quantized output, B rows of the model's output length M (`[B, M]`). Outside
	/// off-chain workers, and on nodes without an engine: `Err(NotAvailable)`.
	fn infer(
		&mut self,
		model_id: PassPointerAndReadCopy<[u8; 32], 32>,
		fraction_bits: u8,
		input: PassFatPointerAndRead<&[u8]>,
	) -> AllocateAndReturnByCodec<Result<Vec<u8>, InferenceError>> {
		use polkadot_sdk::sp_externalities::ExternalitiesExt;
		let Some(ext) = self.extension::<InferenceExt>() else {
			return Err(InferenceError::NotAvailable);
		};
		ext.0.infer_encoded(&model_id, fraction_bits, input)
	}

	/// The models this node's engine serves and the ones it refused; `None` outside
	/// off-chain workers and on nodes without an engine.
	fn models(&mut self) -> AllocateAndReturnByCodec<Option<EngineModels>> {
		use polkadot_sdk::sp_externalities::ExternalitiesExt;
		self.extension::<InferenceExt>().map(|ext| ext.0.models())
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use polkadot_sdk::sp_io::TestExternalities;
	use std::sync::Arc;

	/// Adds one to every element: enough to see the host function's plumbing.
	struct PlusOne;
	impl InferenceEngine for PlusOne {
		fn models(&self) -> EngineModels {
			EngineModels {
				served: vec![[1u8; 32]],
				refused: vec![([3u8; 32], ModelRefusal::WrongHash)],
			}
		}

		fn infer(
			&self,
			model_id: &[u8; 32],
			_: u8,
			input: &[i32],
		) -> Result<Vec<i32>, InferenceError> {
			if model_id != &[1u8; 32] {
				return Err(InferenceError::UnknownModel);
			}
			Ok(input.iter().map(|v| v + 1).collect())
		}
	}

	fn bytes(values: &[i32]) -> Vec<u8> {
		values.iter().flat_map(|v| v.to_le_bytes()).collect()
	}

	#[test]
	fn without_an_engine_the_answer_is_not_available() {
		TestExternalities::default().execute_with(|| {
			assert_eq!(
				inference::infer([1u8; 32], 16, &bytes(&[1])),
				Err(InferenceError::NotAvailable)
			);
			assert_eq!(inference::models(), None);
		});
	}

	#[test]
	fn with_an_engine_the_output_comes_back_scale_encoded() {
		let mut ext = TestExternalities::default();
		ext.register_extension(InferenceExt(Arc::new(PlusOne)));
		ext.execute_with(|| {
			let output = inference::infer([1u8; 32], 16, &bytes(&[1, -5])).unwrap();
			assert_eq!(Vec::<i32>::decode(&mut &output[..]).unwrap(), vec![2, -4]);
			assert_eq!(
				inference::infer([2u8; 32], 16, &bytes(&[1])),
				Err(InferenceError::UnknownModel)
			);
			// Not a whole number of i32 values.
			assert_eq!(inference::infer([1u8; 32], 16, &[1, 2, 3]), Err(InferenceError::BadInput));
			assert_eq!(
				inference::models(),
				Some(EngineModels {
					served: vec![[1u8; 32]],
					refused: vec![([3u8; 32], ModelRefusal::WrongHash)],
				})
			);
		});
	}
}
