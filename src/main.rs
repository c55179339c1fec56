//! Thin entry point: everything lives in the library (`dalal::cli`).

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    dalal::cli::run(std::env::args().skip(1).collect()).await
}
