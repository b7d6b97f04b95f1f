//! Time to paint and encode an animation: 60 frames of the default network's 110×110 output
//! along a path (one forward pass and one picture a frame), then the GIF. Run:
//! `cargo bench --bench animation`.

use criterion::{Criterion, criterion_group, criterion_main};
use nnimg::net::init::init_network;
use nnimg::render::animated::{AnimationFormat, encode_animation};
use nnimg::render::motion::{Timing, path_frames};
use nnimg::render::pixels::{ColorMap, output_to_image};
use nnimg::render::recipe::Recipe;
use std::time::Duration;

fn sixty_frames(c: &mut Criterion) {
    let net = init_network(&[8, 110, 110, 12100], 1);
    let mut one_hot = |i: usize| (0..8).map(|j| f32::from(u8::from(i == j))).collect();
    let waypoints: Vec<Vec<f32>> = (0..3).map(&mut one_hot).collect();
    let timing = Timing {
        frames_per_leg: 15,
        hold: 0,
        ping_pong: true,
    };
    let inputs = path_frames(&waypoints, timing);
    assert_eq!(inputs.len(), 60);
    let paint = || -> Vec<image::RgbImage> {
        inputs
            .iter()
            .map(|x| output_to_image(&net.predict(x), 110, 110, 1, ColorMap::Magma))
            .collect()
    };
    let mut group = c.benchmark_group("animation");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    group.bench_function("60 frames 110x110 painted", |b| b.iter(paint));
    group.bench_function("60 frames 110x110 painted and encoded as GIF", |b| {
        b.iter(|| encode_animation(AnimationFormat::Gif, &paint(), 40, &Recipe::default()))
    });
    group.finish();
}

criterion_group!(benches, sixty_frames);
criterion_main!(benches);
