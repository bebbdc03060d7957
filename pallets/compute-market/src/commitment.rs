//! The commitment a worker makes before revealing its output.

use codec::Encode;
use polkadot_sdk::sp_crypto_hashing::blake2_256;

/// `blake2_256(job_id ‖ worker ‖ salt ‖ output)`, each part SCALE-encoded: the job id as
/// a little-endian u64, the worker's account, the 32-byte salt, and the output as a
/// `Vec<i32>` (compact length prefix, then little-endian values).
pub fn commitment<AccountId: Encode>(
	job: u64,
	worker: &AccountId,
	salt: &[u8; 32],
	output: &[i32],
) -> [u8; 32] {
	(job, worker, salt, output).using_encoded(blake2_256)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn commitment_is_blake2_of_the_scale_concatenation() {
		let worker = [7u8; 32];
		let salt = [9u8; 32];
		let mut bytes = 5u64.to_le_bytes().to_vec();
		bytes.extend_from_slice(&worker);
		bytes.extend_from_slice(&salt);
		bytes.push(2 << 2); // compact length 2
		bytes.extend_from_slice(&(-1i32).to_le_bytes());
		bytes.extend_from_slice(&65536i32.to_le_bytes());
		assert_eq!(commitment(5, &worker, &salt, &[-1, 65536]), blake2_256(&bytes));
	}

	#[test]
	fn every_part_binds() {
		let base = commitment(1, &[1u8; 32], &[2u8; 32], &[3]);
		assert_ne!(base, commitment(2, &[1u8; 32], &[2u8; 32], &[3]));
		assert_ne!(base, commitment(1, &[0u8; 32], &[2u8; 32], &[3]));
		assert_ne!(base, commitment(1, &[1u8; 32], &[0u8; 32], &[3]));
		assert_ne!(base, commitment(1, &[1u8; 32], &[2u8; 32], &[4]));
	}
}
