//! Geography of practices, in British National Grid metres (EPSG:27700).
//!
//! Practices are points. Co-located practices (one building, one postcode)
//! collapse into a [`Site`]. Sites are joined by a Delaunay triangulation whose
//! edges across water or unpopulated gaps are pruned by a documented rule
//! ([`PruneRule`]); two practices are neighbours when their sites are joined or
//! are the same site. A set of practices is contiguous when it induces a
//! connected subgraph. Voronoi cells of the sites, dissolved per network, give
//! network areas for maps and for Polsby-Popper compactness.
//!
//! No IO and no domain types: callers pass points and indices.

pub mod cells;
pub mod compactness;
pub mod graph;
pub mod land;
pub mod project;

pub use cells::{network_areas, polsby_popper, voronoi_cells};
pub use compactness::{WeightedPoint, mean_weighted_distance_m, moment_of_inertia};
pub use graph::{Edge, PruneReason, PruneRule, PrunedEdge, Scratch, Site, SiteGraph, collapse};
pub use land::Land;
