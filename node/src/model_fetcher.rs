//! The model fetcher (DESIGN §11): a node service, not runtime code. It follows the
//! finalized chain's registered models (`ComputeApi::models`) and, for every model the
//! engine does not serve, takes the file from the model cache (`--inference-models`,
//! files named `<hex model id>.onnx`) or downloads it from the model's `http(s)` URI with
//! a size cap and a time limit. The engine checks it (blake2-256 = the model id, ONNX
//! Runtime loads it, the registered input and output lengths) and serves it at once; a
//! downloaded file is then written to the cache so a restart finds it. A refused model is
//! logged once per reason and tried again with back-off (`RETRY_FIRST`, doubling up to
//! `RETRY_MOST`); nothing here ever stops the node. The worker's off-chain worker reports
//! what the engine serves and refused on chain (`report_models`).

use std::{
	collections::HashMap,
	path::{Path, PathBuf},
	sync::Arc,
	time::{Duration, Instant},
};

use assay_inference::{
	engine::{hex, OrtEngine, Refused},
	ModelRefusal,
};
use assay_runtime::{opaque::Block, AccountId, Runtime};
use futures::{FutureExt, StreamExt};
use http_body_util::{BodyExt, Empty, Limited};
use hyper::body::Bytes;
use hyper_util::{client::legacy::Client, rt::TokioExecutor};
use pallet_compute_market::{runtime_api::ComputeApi, JobOf, ModelId, ModelOf, ProviderOf};
use polkadot_sdk::{
	sc_client_api::BlockchainEvents, sp_api::ProvideRuntimeApi, sp_blockchain::HeaderBackend,
};

const LOG_TARGET: &str = "model-fetcher";

/// The first wait before a refused model is tried again.
pub const RETRY_FIRST: Duration = Duration::from_secs(12);
/// The longest wait between tries of a refused model.
pub const RETRY_MOST: Duration = Duration::from_secs(3600);
/// How often the fetcher looks again without new finality (so retries come due).
const TICK: Duration = Duration::from_secs(6);

/// Where and how the fetcher gets models.
#[derive(Clone, Debug)]
pub struct FetcherParams {
	/// The model cache: `<hex model id>.onnx` files.
	pub cache: PathBuf,
	/// The largest file it downloads, whatever the registered size.
	pub max_bytes: u64,
	/// The time one download may take, connection included.
	pub timeout: Duration,
}

/// What the fetcher remembers about one model.
#[derive(Default)]
struct Tracked {
	/// Tries that failed in a row.
	failures: u32,
	/// Not before this instant.
	next_try: Option<Instant>,
	/// The reason last logged (a refusal is logged once per reason).
	logged: Option<ModelRefusal>,
	/// Whether a served model's shape was checked against its registration.
	checked: bool,
}

/// The wait after `failures` failed tries in a row: `RETRY_FIRST`, doubling, at most
/// `RETRY_MOST`.
pub fn backoff(failures: u32) -> Duration {
	let doublings = failures.saturating_sub(1).min(16);
	RETRY_FIRST.saturating_mul(1u32 << doublings).min(RETRY_MOST)
}

/// The HTTP(S) client: rustls with the system's roots (plain HTTP without them).
type HttpClient = Client<
	hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
	Empty<Bytes>,
>;

fn http_client() -> Option<HttpClient> {
	let provider = || Arc::new(rustls::crypto::ring::default_provider());
	let connector = match hyper_rustls::HttpsConnectorBuilder::new()
		.with_provider_and_native_roots(provider())
	{
		Ok(builder) => builder.https_or_http().enable_http1().build(),
		Err(e) => {
			log::warn!(target: LOG_TARGET, "no TLS root certificates ({e}): only http:// models can be fetched");
			let config = rustls::ClientConfig::builder_with_provider(provider())
				.with_safe_default_protocol_versions()
				.map_err(
					|e| log::error!(target: LOG_TARGET, "no TLS configuration: {e}; no model is downloaded"),
				)
				.ok()?
				.with_root_certificates(rustls::RootCertStore::empty())
				.with_no_client_auth();
			hyper_rustls::HttpsConnectorBuilder::new()
				.with_tls_config(config)
				.https_or_http()
				.enable_http1()
				.build()
		},
	};
	Some(Client::builder(TokioExecutor::new()).build(connector))
}

/// Downloads `uri`: the body, at most `cap` bytes, within `timeout`.
pub async fn download(
	client: &HttpClient,
	uri: &str,
	cap: u64,
	timeout: Duration,
) -> Result<Vec<u8>, Refused> {
	let unreachable = |detail: String| Refused::new(ModelRefusal::Unreachable, detail);
	let request = async {
		let uri: hyper::Uri = uri.parse().map_err(|e| unreachable(format!("bad address: {e}")))?;
		let response = client.get(uri).await.map_err(|e| unreachable(format!("{e}")))?;
		if !response.status().is_success() {
			return Err(unreachable(format!("HTTP status {}", response.status())));
		}
		let length = response
			.headers()
			.get(hyper::header::CONTENT_LENGTH)
			.and_then(|v| v.to_str().ok())
			.and_then(|v| v.parse::<u64>().ok());
		if let Some(length) = length.filter(|&length| length > cap) {
			return Err(Refused::new(
				ModelRefusal::TooLarge,
				format!("{length} bytes announced, at most {cap} taken"),
			));
		}
		let limit = usize::try_from(cap).unwrap_or(usize::MAX);
		let body = Limited::new(response.into_body(), limit).collect().await.map_err(|e| {
			if e.downcast_ref::<http_body_util::LengthLimitError>().is_some() {
				Refused::new(ModelRefusal::TooLarge, format!("more than {cap} bytes sent"))
			} else {
				unreachable(format!("the body did not arrive: {e}"))
			}
		})?;
		Ok(body.to_bytes().to_vec())
	};
	match tokio::time::timeout(timeout, request).await {
		Ok(result) => result,
		Err(_) => Err(unreachable(format!("no whole file within {} s", timeout.as_secs()))),
	}
}

/// The cache file of model `id`.
pub fn cache_file(cache: &Path, id: &ModelId) -> PathBuf {
	cache.join(format!("{}.onnx", hex(id)))
}

/// Whether `uri` is an address the fetcher downloads from.
fn fetchable(uri: &[u8]) -> Option<&str> {
	let uri = std::str::from_utf8(uri).ok()?;
	(uri.starts_with("http://") || uri.starts_with("https://")).then_some(uri)
}

/// Gets model `id` into the engine: from the cache, else from its URI. The size of what
/// was loaded, and where from.
async fn fetch(
	client: Option<&HttpClient>,
	engine: &OrtEngine,
	params: &FetcherParams,
	id: &ModelId,
	model: &ModelOf<Runtime>,
) -> Result<(usize, String), Refused> {
	let shape = Some((model.input_len as usize, model.output_len as usize));
	let file = cache_file(&params.cache, id);
	if let Ok(bytes) = std::fs::read(&file) {
		match engine.admit(id, &bytes, shape) {
			Ok(_) => return Ok((bytes.len(), file.display().to_string())),
			// A cached file that is not the model (or no longer fits its registration) is
			// not used; the download replaces it.
			Err(refused) => {
				log::warn!(target: LOG_TARGET, "cached {} not used: {}", file.display(), refused.detail)
			},
		}
	}
	let uri = model.uri.as_ref().and_then(|uri| fetchable(uri)).ok_or_else(|| {
		Refused::new(ModelRefusal::NoSource, "no http(s) address and not in the cache")
	})?;
	let cap = match model.size {
		0 => params.max_bytes,
		size => u64::from(size).min(params.max_bytes),
	};
	let client = client.ok_or_else(|| Refused::new(ModelRefusal::Unreachable, "no HTTP client"))?;
	let bytes = download(client, uri, cap, params.timeout).await?;
	engine.admit(id, &bytes, shape)?;
	// Kept for the next start: written aside, then renamed, so no half file is ever read.
	let partial = file.with_extension("part");
	if let Err(e) = std::fs::write(&partial, &bytes).and_then(|_| std::fs::rename(&partial, &file))
	{
		log::warn!(target: LOG_TARGET, "model 0x{} loaded but not cached in {}: {e}", hex(id), file.display());
	}
	Ok((bytes.len(), uri.to_string()))
}

/// One look at the models registered at the finalized block `at`.
async fn pass<C>(
	client: &C,
	http: Option<&HttpClient>,
	engine: &OrtEngine,
	params: &FetcherParams,
	tracked: &mut HashMap<ModelId, Tracked>,
	at: <Block as polkadot_sdk::sp_runtime::traits::Block>::Hash,
) where
	C: ProvideRuntimeApi<Block>,
	C::Api: ComputeApi<Block, AccountId, JobOf<Runtime>, ModelOf<Runtime>, ProviderOf<Runtime>>,
{
	let models = match client.runtime_api().models(at) {
		Ok(models) => models,
		Err(e) => {
			log::debug!(target: LOG_TARGET, "cannot read the models at {at}: {e}");
			return;
		},
	};
	tracked.retain(|id, _| models.iter().any(|(m, _)| m == id));
	for (id, model) in models {
		let entry = tracked.entry(id).or_default();
		if engine.serves(&id) {
			if !entry.checked {
				entry.checked = true;
				let registered = model.input_len as usize;
				if engine.input_shape(&id).is_some_and(|shape| shape.len != registered) {
					log::warn!(target: LOG_TARGET, "model 0x{} is registered with {registered} inputs, the cached file takes another number: not served", hex(&id));
					engine.unload(&id, ModelRefusal::WrongShape);
				}
			}
			continue;
		}
		if entry.next_try.is_some_and(|next| Instant::now() < next) {
			continue;
		}
		let started = Instant::now();
		match fetch(http, engine, params, &id, &model).await {
			Ok((size, from)) => {
				log::info!(target: LOG_TARGET, "model 0x{} fetched from {from} ({size} bytes) and loaded in {} ms", hex(&id), started.elapsed().as_millis());
				*entry = Tracked { checked: true, ..Tracked::default() };
			},
			Err(refused) => {
				engine.refuse(&id, refused.reason);
				entry.failures = entry.failures.saturating_add(1);
				let wait = backoff(entry.failures);
				entry.next_try = Some(Instant::now() + wait);
				if entry.logged != Some(refused.reason) {
					entry.logged = Some(refused.reason);
					log::warn!(target: LOG_TARGET, "model 0x{} refused ({:?}): {}; trying again with back-off (next in {} s)", hex(&id), refused.reason, refused.detail, wait.as_secs());
				}
			},
		}
	}
}

/// Runs the fetcher until the node stops.
pub async fn run<C>(client: Arc<C>, engine: Arc<OrtEngine>, params: FetcherParams)
where
	C: BlockchainEvents<Block>
		+ ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ Send
		+ Sync
		+ 'static,
	C::Api: ComputeApi<Block, AccountId, JobOf<Runtime>, ModelOf<Runtime>, ProviderOf<Runtime>>,
{
	if let Err(e) = std::fs::create_dir_all(&params.cache) {
		log::error!(target: LOG_TARGET, "cannot create the model cache {}: {e}; models are fetched but not cached", params.cache.display());
	}
	let http = http_client();
	let mut tracked = HashMap::new();
	let mut finality = client.finality_notification_stream().fuse();
	let mut ticker = tokio::time::interval(TICK);
	log::info!(target: LOG_TARGET, "following the finalized models (cache {}, at most {} bytes a file, {} s a download)", params.cache.display(), params.max_bytes, params.timeout.as_secs());
	loop {
		futures::select! {
			notification = finality.next() => {
				if notification.is_none() {
					return;
				}
			},
			_ = ticker.tick().fuse() => {},
		}
		let at = client.info().finalized_hash;
		pass(&*client, http.as_ref(), &engine, &params, &mut tracked, at).await;
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::{io::Write, net::TcpListener};

	/// Serves one canned HTTP response per connection, `count` times.
	fn serve(response: Vec<u8>, count: usize) -> String {
		let listener = TcpListener::bind("127.0.0.1:0").unwrap();
		let address = listener.local_addr().unwrap();
		std::thread::spawn(move || {
			for stream in listener.incoming().take(count) {
				let mut stream = stream.unwrap();
				let mut request = [0u8; 1024];
				let _ = std::io::Read::read(&mut stream, &mut request);
				let _ = stream.write_all(&response);
			}
		});
		format!("http://{address}/model.onnx")
	}

	fn ok(body: &[u8]) -> Vec<u8> {
		let mut response = format!(
			"HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
			body.len()
		)
		.into_bytes();
		response.extend_from_slice(body);
		response
	}

	fn runtime() -> tokio::runtime::Runtime {
		tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
	}

	#[test]
	fn a_file_within_the_cap_is_downloaded() {
		let uri = serve(ok(b"0123456789"), 1);
		let bytes = runtime()
			.block_on(download(&http_client().unwrap(), &uri, 10, Duration::from_secs(5)))
			.unwrap();
		assert_eq!(bytes, b"0123456789");
	}

	#[test]
	fn a_file_over_the_cap_is_too_large_announced_or_not() {
		let announced = serve(ok(b"0123456789"), 1);
		let refused = runtime()
			.block_on(download(&http_client().unwrap(), &announced, 9, Duration::from_secs(5)))
			.unwrap_err();
		assert_eq!(refused.reason, ModelRefusal::TooLarge, "{}", refused.detail);
		// No Content-Length: the body is cut at the cap.
		let mut unannounced = b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".to_vec();
		unannounced.extend_from_slice(&[7u8; 100]);
		let uri = serve(unannounced, 1);
		let refused = runtime()
			.block_on(download(&http_client().unwrap(), &uri, 50, Duration::from_secs(5)))
			.unwrap_err();
		assert_eq!(refused.reason, ModelRefusal::TooLarge, "{}", refused.detail);
	}

	#[test]
	fn an_error_status_a_closed_port_and_a_silent_server_are_unreachable() {
		let missing = serve(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_vec(), 1);
		let closed = {
			let listener = TcpListener::bind("127.0.0.1:0").unwrap();
			format!("http://{}/model.onnx", listener.local_addr().unwrap())
		};
		let silent = {
			let listener = TcpListener::bind("127.0.0.1:0").unwrap();
			let address = listener.local_addr().unwrap();
			std::thread::spawn(move || {
				let _held = listener.incoming().next();
				std::thread::sleep(Duration::from_secs(5));
			});
			format!("http://{address}/model.onnx")
		};
		for uri in [missing, closed, silent] {
			let refused = runtime()
				.block_on(download(&http_client().unwrap(), &uri, 100, Duration::from_secs(1)))
				.unwrap_err();
			assert_eq!(refused.reason, ModelRefusal::Unreachable, "{uri}: {}", refused.detail);
		}
	}

	#[test]
	fn back_off_doubles_from_the_first_wait_up_to_the_most() {
		assert_eq!(backoff(1), RETRY_FIRST);
		assert_eq!(backoff(2), RETRY_FIRST * 2);
		assert_eq!(backoff(4), RETRY_FIRST * 8);
		assert_eq!(backoff(40), RETRY_MOST);
	}

	#[test]
	fn only_http_and_https_addresses_are_fetched() {
		assert_eq!(fetchable(b"https://example.org/m.onnx"), Some("https://example.org/m.onnx"));
		assert_eq!(fetchable(b"http://127.0.0.1/m.onnx"), Some("http://127.0.0.1/m.onnx"));
		assert_eq!(fetchable(b"models/m.onnx"), None);
		assert_eq!(fetchable(&[0xff, 0xfe]), None);
	}
}
