//! Epoch time of the default network (one and two threads), the two-layer network and the
//! colour network, on the same synthetic samples as `nnimg bench`. Run: `cargo bench`.

use criterion::{Criterion, criterion_group, criterion_main};
use nnimg::cmd::bench::{bench_nets, synthetic_trainer};
use std::time::Duration;

fn epochs(c: &mut Criterion) {
    let mut group = c.benchmark_group("epoch");
    group
        .sample_size(30)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for net in bench_nets() {
        if net.name == "v0.1.6" {
            continue; // the same network as v0.1.6.1
        }
        for threads in [1, 2] {
            let mut trainer = synthetic_trainer(&net.layers, net.adaptive, Some(threads));
            let id = format!("{} {threads}t", net.name);
            group.bench_function(id, |b| {
                b.iter(|| {
                    trainer
                        .run_epoch()
                        .expect("synthetic training does not diverge")
                });
            });
        }
    }
    group.finish();
}

criterion_group!(benches, epochs);
criterion_main!(benches);
