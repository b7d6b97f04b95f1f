//! Runs side by side, image by image: each training image's error in each run and its rank
//! within that run, over the union of the runs' training images; and the untrained inputs a
//! comparison looks at besides them.
//!
//! Pure: the callers read the runs (their metrics rows) and draw the result, as a table on
//! stdout, a PNG sheet or the explorer's per-image panel.

/// One image's standing in one run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Standing {
    /// The image's error (per-pixel mean of (y − t)²) in the run's metrics.
    pub error: f64,
    /// 1 for the run's best-learnt (lowest error) image, counting up; ties keep file order.
    pub rank: usize,
}

/// Every image of the compared runs and its standing in each: `cells[image][run]` is `None`
/// where a run does not train on that image, or has no error for it yet.
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorTable {
    /// The union of the runs' stems: the first run's in its order, then each later run's new
    /// ones in theirs.
    pub stems: Vec<String>,
    pub cells: Vec<Vec<Option<Standing>>>,
}

/// One run's images and their errors, as its metrics give them (`errors` empty before the
/// first epoch).
#[derive(Clone, Copy, Debug)]
pub struct RunErrors<'a> {
    pub stems: &'a [String],
    pub errors: &'a [f64],
}

/// Ranks of `errors`: 1 for the smallest, ties in index order. NaN ranks last.
pub fn ranks(errors: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..errors.len()).collect();
    order.sort_by(|&a, &b| errors[a].total_cmp(&errors[b]).then(a.cmp(&b)));
    let mut ranks = vec![0; errors.len()];
    for (rank, &i) in order.iter().enumerate() {
        ranks[i] = rank + 1;
    }
    ranks
}

/// The table of `runs`, in the order given.
pub fn error_table(runs: &[RunErrors]) -> ErrorTable {
    let mut stems: Vec<String> = Vec::new();
    for run in runs {
        for stem in run.stems {
            if !stems.contains(stem) {
                stems.push(stem.clone());
            }
        }
    }
    let per_run: Vec<Vec<Option<Standing>>> = runs
        .iter()
        .map(|run| {
            let complete = run.errors.len() == run.stems.len();
            let ranks = ranks(run.errors);
            stems
                .iter()
                .map(|stem| {
                    let i = run.stems.iter().position(|s| s == stem)?;
                    complete.then(|| Standing {
                        error: run.errors[i],
                        rank: ranks[i],
                    })
                })
                .collect()
        })
        .collect();
    let cells = (0..stems.len())
        .map(|i| per_run.iter().map(|run| run[i]).collect())
        .collect();
    ErrorTable { stems, cells }
}

impl ErrorTable {
    /// How image `image` moved in run `run` against the first run that has it: negative is
    /// better (a smaller rank), positive worse, `None` when either has no standing or `run`
    /// is that first run.
    pub fn rank_change(&self, image: usize, run: usize) -> Option<isize> {
        let row = self.cells.get(image)?;
        let reference = row.iter().position(Option::is_some)?;
        if reference >= run {
            return None;
        }
        let (a, b) = (row[reference]?, row.get(run).copied()??);
        Some(b.rank as isize - a.rank as isize)
    }
}

/// The inputs a comparison shows beyond the training images, for networks of `n` inputs:
/// every pair of buttons pressed together (1 and 2, 1 and 3, …, in that order) and then
/// every button at 0.5.
pub fn untrained_inputs(n: usize) -> Vec<Vec<f32>> {
    let mut inputs = Vec::new();
    for i in 0..n {
        for j in i + 1..n {
            let mut x = vec![0.0; n];
            x[i] = 1.0;
            x[j] = 1.0;
            inputs.push(x);
        }
    }
    if n > 0 {
        inputs.push(vec![0.5; n]);
    }
    inputs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stems(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_smallest_error_ranks_first_and_ties_keep_file_order() {
        assert_eq!(ranks(&[0.3, 0.1, 0.2]), [3, 1, 2]);
        assert_eq!(ranks(&[0.1, 0.1, 0.0]), [2, 3, 1]);
        assert_eq!(ranks(&[f64::NAN, 0.5]), [2, 1]);
        assert!(ranks(&[]).is_empty());
    }

    #[test]
    fn a_table_of_two_runs_ranks_each_image_within_its_run() {
        let s = stems(&["a", "b", "c"]);
        let table = error_table(&[
            RunErrors {
                stems: &s,
                errors: &[0.3, 0.1, 0.2],
            },
            RunErrors {
                stems: &s,
                errors: &[0.01, 0.03, 0.02],
            },
        ]);
        assert_eq!(table.stems, s);
        let rank = |i: usize, r: usize| table.cells[i][r].unwrap().rank;
        assert_eq!((rank(0, 0), rank(0, 1)), (3, 1));
        assert_eq!((rank(1, 0), rank(1, 1)), (1, 3));
        assert_eq!(table.cells[2][1].unwrap().error, 0.02);
        // "Better at different images": a went from last to first, b the other way.
        assert_eq!(table.rank_change(0, 1), Some(-2));
        assert_eq!(table.rank_change(1, 1), Some(2));
        assert_eq!(table.rank_change(2, 1), Some(0));
        assert_eq!(table.rank_change(0, 0), None);
    }

    #[test]
    fn images_one_run_lacks_are_empty_cells_in_the_union() {
        let (a, b) = (stems(&["x", "y"]), stems(&["y", "z"]));
        let table = error_table(&[
            RunErrors {
                stems: &a,
                errors: &[1.0, 2.0],
            },
            RunErrors {
                stems: &b,
                errors: &[3.0, 4.0],
            },
        ]);
        assert_eq!(table.stems, stems(&["x", "y", "z"]));
        assert_eq!(table.cells[0][1], None);
        assert_eq!(table.cells[2][0], None);
        assert_eq!(table.cells[1][1].unwrap().rank, 1);
        // z's standing in b is compared with nothing: a lacks it.
        assert_eq!(table.rank_change(2, 1), None);
    }

    #[test]
    fn a_run_without_errors_yet_has_no_standings() {
        let s = stems(&["a", "b"]);
        let table = error_table(&[RunErrors {
            stems: &s,
            errors: &[],
        }]);
        assert_eq!(table.cells, vec![vec![None], vec![None]]);
    }

    #[test]
    fn untrained_inputs_are_every_pair_then_all_at_one_half() {
        let inputs = untrained_inputs(3);
        assert_eq!(
            inputs,
            [
                vec![1.0, 1.0, 0.0],
                vec![1.0, 0.0, 1.0],
                vec![0.0, 1.0, 1.0],
                vec![0.5, 0.5, 0.5]
            ]
        );
        // Eight buttons: 28 pairs and the half-pressed row.
        assert_eq!(untrained_inputs(8).len(), 29);
    }
}
