//! The imperfections of the real configuration, made on purpose after the
//! networks have grown: practices in no network (~1%), practices in a
//! neighbouring commissioner's network (~0.5%), a couple of practices attached
//! to a far network of their own commissioner (the non-contiguous networks),
//! and ~1% of practices that changed network in April 2020. No move leaves the
//! network a practice leaves in pieces or with fewer than two practices.

use pcn_geo::{Scratch, SiteGraph};

use crate::adjacency::{centroid, neighbours};
use crate::random::Rand;
use crate::spatial::Grid;
use crate::{Point, SynthPractice};

const UNASSIGNED_SHARE: f64 = 0.01;
const CROSS_COMMISSIONER_SHARE: f64 = 0.005;
/// Practices that changed network in April 2020 (an ended membership each).
const MOVED_SHARE: f64 = 0.01;

/// The configuration after the moves.
pub struct Outcome {
    /// Current network of each practice.
    pub network_of: Vec<Option<usize>>,
    /// Current members of each network.
    pub members: Vec<Vec<usize>>,
    /// The network a practice left in April 2020, if it moved.
    pub previous: Vec<Option<usize>>,
}

/// Membership of each practice while the imperfections are made.
struct Moves<'a> {
    practices: &'a [SynthPractice],
    graph: &'a SiteGraph,
    scratch: Scratch,
    network_of: Vec<Option<usize>>,
    commissioner_of: Vec<usize>,
    members: Vec<Vec<usize>>,
    centres: Vec<Point>,
    touched: Vec<bool>,
}

impl Moves<'_> {
    fn relocate(&mut self, p: usize, to: Option<usize>) {
        if let Some(from) = self.network_of[p] {
            self.members[from].retain(|&m| m != p);
        }
        if let Some(to) = to {
            self.members[to].push(p);
        }
        self.network_of[p] = to;
        self.touched[p] = true;
    }

    /// May `p` leave its network without leaving it tiny or in pieces?
    fn movable(&mut self, p: usize) -> bool {
        let Some(from) = self.network_of[p] else { return false };
        if self.touched[p] || self.members[from].len() < 3 {
            return false;
        }
        let sites: Vec<u32> = self.members[from].iter().filter(|&&m| m != p).map(|&m| self.graph.site_of[m]).collect();
        self.graph.components(&sites, &mut self.scratch).len() == 1
    }
}

fn count(n: usize, share: f64) -> usize {
    ((n as f64 * share).round() as usize).max(1)
}

/// Border practices join a neighbouring commissioner's network that they touch.
fn cross_commissioners(cfg: &mut Moves<'_>, order: &[usize], wanted: usize) {
    let mut left = wanted;
    for &p in order {
        if left == 0 {
            break;
        }
        let mine = cfg.practices[p].commissioner;
        let here = cfg.practices[p].location;
        let other = neighbours(cfg.graph, p)
            .filter_map(|q| cfg.network_of[q])
            .filter(|&k| cfg.commissioner_of[k] != mine)
            .min_by(|&a, &b| here.distance2(cfg.centres[a]).total_cmp(&here.distance2(cfg.centres[b])).then(a.cmp(&b)));
        if let Some(other) = other
            && cfg.movable(p)
        {
            cfg.relocate(p, Some(other));
            left -= 1;
        }
    }
}

/// A couple of practices attached to the farthest network of their commissioner.
fn far_attachments(cfg: &mut Moves<'_>, order: &[usize], wanted: usize) {
    let mut left = wanted;
    for &p in order {
        if left == 0 {
            break;
        }
        let here = cfg.practices[p].location;
        let mine = cfg.practices[p].commissioner;
        let touching: Vec<usize> = neighbours(cfg.graph, p).filter_map(|q| cfg.network_of[q]).collect();
        let far = (0..cfg.centres.len())
            .filter(|&k| cfg.commissioner_of[k] == mine && Some(k) != cfg.network_of[p] && !touching.contains(&k))
            .max_by(|&a, &b| here.distance2(cfg.centres[a]).total_cmp(&here.distance2(cfg.centres[b])).then(b.cmp(&a)));
        if let Some(far) = far
            && cfg.movable(p)
        {
            cfg.relocate(p, Some(far));
            left -= 1;
        }
    }
}

pub fn apply(
    practices: &[SynthPractice],
    graph: &SiteGraph,
    members: Vec<Vec<usize>>,
    commissioner_of: Vec<usize>,
    commissioners: usize,
    spacing: f64,
    rng: &mut Rand,
) -> Outcome {
    let n = practices.len();
    let mut network_of = vec![None; n];
    for (k, ms) in members.iter().enumerate() {
        for &m in ms {
            network_of[m] = Some(k);
        }
    }
    let mut cfg = Moves {
        practices,
        graph,
        scratch: Scratch::default(),
        network_of,
        centres: members.iter().map(|m| centroid(practices, m)).collect(),
        commissioner_of,
        members,
        touched: vec![false; n],
    };

    let mut order: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut order);
    if commissioners > 1 {
        cross_commissioners(&mut cfg, &order, count(n, CROSS_COMMISSIONER_SHARE));
    }
    rng.shuffle(&mut order);
    far_attachments(&mut cfg, &order, 2 + n / 20_000);
    rng.shuffle(&mut order);
    let mut left = if n >= 2 { count(n, UNASSIGNED_SHARE) } else { 0 };
    for &p in &order {
        if left == 0 {
            break;
        }
        if cfg.movable(p) {
            cfg.relocate(p, None);
            left -= 1;
        }
    }

    // Earlier moves: the practice was in a neighbouring network of its commissioner until March 2020.
    let grid = Grid::new(&cfg.centres, spacing / 2.0);
    let mut per_commissioner = vec![0usize; commissioners];
    for &c in &cfg.commissioner_of {
        per_commissioner[c] += 1;
    }
    let mut previous = vec![None; n];
    rng.shuffle(&mut order);
    let mut left = (n as f64 * MOVED_SHARE).round() as usize;
    for &p in &order {
        if left == 0 {
            break;
        }
        let Some(now) = cfg.network_of[p] else { continue };
        let mine = cfg.practices[p].commissioner;
        if cfg.touched[p] || per_commissioner[mine] < 2 || cfg.commissioner_of[now] != mine {
            continue;
        }
        let here = cfg.practices[p].location;
        if let Some(before) = grid.nearest(here, |k| k != now && cfg.commissioner_of[k] == mine) {
            previous[p] = Some(before);
            left -= 1;
        }
    }

    Outcome { network_of: cfg.network_of, members: cfg.members, previous }
}
