//! Row-major weight matrices `[out, in]` whose rows start on 64-byte boundaries.
//!
//! Each row is padded with zeros to a multiple of [`LANES`] floats, so a row's loads are
//! aligned and the compiler can use the widest vector unit without a scalar tail. The padding
//! is never observable: it is zero, stays zero (updates multiply by a zero-padded input), and
//! is stripped when weights are exported.

/// Floats per 64-byte cache line; rows are padded to a multiple of this.
pub const LANES: usize = 16;

/// One cache line of floats, the unit of storage that gives rows their alignment.
#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(C, align(64))]
struct Line([f32; LANES]);

/// A `rows × cols` f32 matrix stored row-major with a padded row stride.
#[derive(Clone, Debug, PartialEq)]
pub struct Matrix {
    rows: usize,
    cols: usize,
    lines: Vec<Line>,
}

/// The padded length of a vector of `n` floats: `n` rounded up to a multiple of [`LANES`].
pub fn padded_len(n: usize) -> usize {
    n.div_ceil(LANES) * LANES
}

impl Matrix {
    /// A zero matrix of shape `[rows, cols]`.
    pub fn zeros(rows: usize, cols: usize) -> Self {
        let lines = rows * padded_len(cols) / LANES;
        Matrix {
            rows,
            cols,
            lines: vec![Line([0.0; LANES]); lines],
        }
    }

    /// A matrix from row-major values without padding (`values.len() == rows * cols`),
    /// the layout of a checkpoint tensor.
    pub fn from_rows(rows: usize, cols: usize, values: &[f32]) -> Self {
        assert_eq!(
            values.len(),
            rows * cols,
            "matrix values must be rows * cols"
        );
        let mut m = Matrix::zeros(rows, cols);
        for (r, src) in values.chunks_exact(cols.max(1)).enumerate().take(rows) {
            m.row_mut(r)[..cols].copy_from_slice(src);
        }
        m
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn cols(&self) -> usize {
        self.cols
    }

    /// Distance in floats between the starts of two rows (a multiple of [`LANES`]).
    pub fn stride(&self) -> usize {
        padded_len(self.cols)
    }

    /// All storage, padding included: `rows * stride` floats.
    pub fn as_slice(&self) -> &[f32] {
        // SAFETY: `Line` is `repr(C)` around `[f32; LANES]` with size 64 = LANES * 4 and no
        // padding, so a slice of lines is a contiguous, initialised, aligned slice of floats.
        unsafe {
            std::slice::from_raw_parts(self.lines.as_ptr().cast::<f32>(), self.lines.len() * LANES)
        }
    }

    /// Mutable storage, padding included. Callers must keep the padding zero.
    pub fn as_mut_slice(&mut self) -> &mut [f32] {
        // SAFETY: as in `as_slice`; the borrow of `self` makes the access exclusive.
        unsafe {
            std::slice::from_raw_parts_mut(
                self.lines.as_mut_ptr().cast::<f32>(),
                self.lines.len() * LANES,
            )
        }
    }

    /// Row `r` with its padding: `stride` floats, the last `stride - cols` of them zero.
    pub fn row(&self, r: usize) -> &[f32] {
        let s = self.stride();
        &self.as_slice()[r * s..(r + 1) * s]
    }

    /// Row `r` with its padding; callers must keep the padding zero.
    pub fn row_mut(&mut self, r: usize) -> &mut [f32] {
        let s = self.stride();
        &mut self.as_mut_slice()[r * s..(r + 1) * s]
    }

    /// The values row-major without padding: the layout of a checkpoint tensor (tests compare
    /// weights this way).
    #[cfg(test)]
    pub(crate) fn to_rows(&self) -> Vec<f32> {
        let mut out = Vec::with_capacity(self.rows * self.cols);
        for r in 0..self.rows {
            out.extend_from_slice(&self.row(r)[..self.cols]);
        }
        out
    }

    /// True when every weight is finite (no NaN, no infinity).
    pub fn is_finite(&self) -> bool {
        self.as_slice().iter().all(|w| w.is_finite())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_start_on_cache_line_boundaries() {
        let m = Matrix::zeros(5, 110);
        assert_eq!(m.stride(), 112);
        for r in 0..5 {
            assert_eq!(m.row(r).as_ptr() as usize % 64, 0);
        }
    }

    #[test]
    fn round_trips_unpadded_rows() {
        let values: Vec<f32> = (0..15).map(|v| v as f32).collect();
        let m = Matrix::from_rows(3, 5, &values);
        assert_eq!(m.to_rows(), values);
        assert_eq!(m.row(1)[..5], [5.0, 6.0, 7.0, 8.0, 9.0]);
        assert!(m.row(1)[5..].iter().all(|&p| p == 0.0));
    }
}
