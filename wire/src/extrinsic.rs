//! The envelope of a feeless device report: a general transaction (extrinsic format v5,
//! no signer, no fee) whose authorization is the device's signature inside the call.
//!
//! The runtime's transaction extensions, in order, and what each adds to a general
//! transaction's explicit data (extension version 0):
//!
//! | extension | explicit data |
//! |---|---|
//! | AuthorizeCall, CheckNonZeroSender, CheckSpecVersion, CheckTxVersion, CheckGenesis | none |
//! | CheckEra | immortal: `0x00` |
//! | CheckNonce | compact 0: `0x00` |
//! | CheckWeight | none |
//! | ChargeTransactionPayment | compact tip 0: `0x00` |
//! | WeightReclaim | none |
//!
//! The runtime's tests decode [`general_transaction`] as the runtime's extrinsic type and
//! compare its extension with the runtime's own, so this table cannot drift.

use alloc::vec::Vec;
use codec::{Compact, Encode};

/// The first byte of a general transaction: format version 5, type "general" (0b01).
pub const GENERAL_V5: u8 = 0b0100_0101;
/// The version of the runtime's transaction-extension pipeline.
pub const EXTENSION_VERSION: u8 = 0;
/// The explicit extension data of a report: immortal era, nonce 0, tip 0.
pub const REPORT_EXTENSION: [u8; 3] = [0x00, 0x00, 0x00];

/// A general transaction carrying `call` (the SCALE-encoded runtime call), ready for
/// `author_submitExtrinsic`: `compact(len) ‖ 0x45 ‖ 0x00 ‖ 0x000000 ‖ call`.
pub fn general_transaction(call: &[u8]) -> Vec<u8> {
	let mut body = Vec::with_capacity(2 + REPORT_EXTENSION.len() + call.len());
	body.push(GENERAL_V5);
	body.push(EXTENSION_VERSION);
	body.extend_from_slice(&REPORT_EXTENSION);
	body.extend_from_slice(call);
	let mut transaction = Compact(body.len() as u32).encode();
	transaction.extend(body);
	transaction
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn envelope_of_a_two_byte_call() {
		assert_eq!(general_transaction(&[12, 3]), [7 << 2, 0x45, 0, 0, 0, 0, 12, 3]);
	}
}
