//! Every domain tag. A tag is SCALE-encoded as the first field of what it separates
//! (`Vec<u8>`: compact length, then the ASCII bytes), so no two kinds of message, seed or
//! pool tag can share bytes.

/// A maker's attestation of a device.
pub const MAKER_ATTEST: &[u8] = b"assay/maker-attest";
/// A device's consent to its registration.
pub const REGISTER: &[u8] = b"assay/register";
/// The envelope of a device report with a nonce.
pub const REPORT: &[u8] = b"assay/report";
/// The envelope of a device report kept unique by the calling pallet's storage.
pub const UNIQUE_REPORT: &[u8] = b"assay/unique-report";
/// A heartbeat's payload.
pub const HEARTBEAT: &[u8] = b"assay/heartbeat";
/// A beacon's payload.
pub const BEACON: &[u8] = b"assay/poc-beacon";
/// A witness report's payload (and its pool tag).
pub const WITNESS: &[u8] = b"assay/poc-witness";
/// A reveal's payload.
pub const REVEAL: &[u8] = b"assay/poc-reveal";
/// A meter reading's payload.
pub const ENERGY_READING: &[u8] = b"assay/energy-reading";

/// Seed domain of proof-of-coverage entropy (`derive_seed`).
pub const POC_ENTROPY: &[u8] = b"assay/poc-entropy";
/// Seed domain of a beacon's witness selection.
pub const POC_SELECTION: &[u8] = b"assay/poc-select";
/// Seed domain of a beacon's witness roster (which reports it keeps when full).
pub const POC_ROSTER: &[u8] = b"assay/poc-roster";
/// Seed domain of a compute job's provider assignment.
pub const COMPUTE_ASSIGNMENT: &[u8] = b"assay/compute-assign";
/// Offchain-storage key prefix of an inference worker's record of a job.
pub const COMPUTE_WORKER: &[u8] = b"assay/compute-worker";

/// Every tag, for tests that they are distinct and none is a prefix of another.
pub const ALL: &[&[u8]] = &[
	MAKER_ATTEST,
	REGISTER,
	REPORT,
	UNIQUE_REPORT,
	HEARTBEAT,
	BEACON,
	WITNESS,
	REVEAL,
	ENERGY_READING,
	POC_ENTROPY,
	POC_SELECTION,
	POC_ROSTER,
	COMPUTE_ASSIGNMENT,
	COMPUTE_WORKER,
];

#[cfg(test)]
mod tests {
	use super::ALL;

	#[test]
	fn tags_are_distinct_and_namespaced() {
		for (i, a) in ALL.iter().enumerate() {
			assert!(a.starts_with(b"assay/"));
			for b in &ALL[i + 1..] {
				assert_ne!(a, b);
			}
		}
	}
}
