//! English-sounding names for places, practices and streets, built from parts
//! so that no real organisation is named.

use std::collections::HashSet;

use crate::random::Rand;

const PREFIXES: &[&str] = &[
    "Ash", "Alder", "Ald", "Bar", "Bel", "Black", "Brad", "Bram", "Brent", "Brook", "Burn", "Cald", "Chad", "Chester",
    "Clay", "Cold", "Crow", "Dal", "Dun", "East", "Elm", "Elder", "Fair", "Fern", "Fox", "Glen", "Gold", "Hale",
    "Hart", "Hazel", "Heath", "Holm", "Kel", "Kings", "Lang", "Lark", "Lin", "Long", "Marl", "Mel", "Mill", "Moor",
    "Nor", "North", "Oak", "Ox", "Pen", "Pol", "Queens", "Raven", "Red", "Rose", "Rother", "Salt", "Sand", "Shep",
    "South", "Stan", "Stone", "Sut", "Swan", "Thorn", "Wal", "Wel", "West", "Whit", "Wick", "Wind", "Wood", "Wren",
    "Yar",
];

const SUFFIXES: &[&str] = &[
    "borough", "bourne", "bridge", "brook", "bury", "by", "caster", "chester", "cliffe", "combe", "dale", "den", "don",
    "field", "ford", "gate", "ham", "hampton", "hill", "hurst", "ington", "leigh", "ley", "mere", "minster", "mouth",
    "port", "stead", "stoke", "stow", "thorpe", "ton", "wade", "well", "wich", "worth",
];

const MODIFIERS: &[&str] = &["Great", "Little", "Upper", "Lower", "Market", "Kings", "Old", "New", "Nether", "Castle"];

const FEATURES: &[&str] = &[
    "Riverside",
    "Parkside",
    "Orchard",
    "Willows",
    "Beeches",
    "Elms",
    "Limes",
    "Meadows",
    "Village",
    "Abbey",
    "Castle",
    "Market",
    "Church",
    "Station",
    "Green",
    "Hollies",
    "Laurels",
    "Grange",
    "Cedars",
    "Maples",
    "Priory",
    "Bridge",
    "Mill",
    "Oaks",
    "Firs",
    "Park",
    "Lodge",
    "Manor",
    "Old School",
    "Hillside",
    "Valley",
    "Harbour",
    "Woodlands",
    "Brookside",
    "Chestnuts",
    "Rowans",
    "Springfield",
    "Fountain",
    "Crossroads",
    "Quayside",
];

const SURNAMES: &[&str] = &[
    "Ahmed", "Allen", "Bailey", "Baker", "Begum", "Bennett", "Brown", "Carter", "Chapman", "Clarke", "Cooper",
    "Davies", "Edwards", "Evans", "Fisher", "Green", "Hall", "Harris", "Hughes", "Hussain", "Jackson", "James",
    "Johnson", "Jones", "Khan", "King", "Lewis", "Martin", "Mason", "Mitchell", "Moore", "Morgan", "Morris", "Murphy",
    "Parker", "Patel", "Phillips", "Price", "Roberts", "Robinson", "Scott", "Shah", "Singh", "Smith", "Taylor",
    "Thomas", "Thompson", "Turner", "Walker", "Ward", "Watson", "White", "Williams", "Wilson", "Wood", "Wright",
    "Young",
];

pub const STREETS: &[&str] = &[
    "High Street",
    "Church Street",
    "Station Road",
    "Victoria Road",
    "Park Road",
    "London Road",
    "Mill Lane",
    "Green Lane",
    "Manor Road",
    "Queens Road",
    "King Street",
    "Market Place",
    "Albert Road",
    "New Road",
    "School Lane",
    "North Road",
    "Bridge Street",
    "West Street",
    "Chapel Street",
    "Springfield Road",
    "Church Lane",
    "Main Street",
    "The Green",
    "Castle Street",
    "Broad Street",
    "Grange Road",
    "Kings Road",
    "Alexandra Road",
    "Windsor Road",
    "York Road",
    "The Avenue",
    "Highfield Road",
    "Stanley Road",
    "Richmond Road",
    "George Street",
    "Hill Road",
];

/// Hands out place names, unique while the supply lasts.
pub struct PlaceNames {
    used: HashSet<String>,
}

impl PlaceNames {
    pub fn new() -> Self {
        Self { used: HashSet::new() }
    }

    pub fn next(&mut self, rng: &mut Rand) -> String {
        for attempt in 0..60 {
            let base = compound(rng);
            let name = if attempt < 20 { base } else { format!("{} {base}", rng.pick(MODIFIERS)) };
            if self.used.insert(name.clone()) {
                return name;
            }
        }
        // 26,000 names used: repeats are allowed, as in real England.
        compound(rng)
    }
}

fn compound(rng: &mut Rand) -> String {
    let (prefix, suffix) = (PREFIXES[rng.below(PREFIXES.len())], SUFFIXES[rng.below(SUFFIXES.len())]);
    join(prefix, suffix)
}

/// One letter where the parts meet: "Wood" + "don" is "Woodon", not "Wooddon".
fn join(prefix: &str, suffix: &str) -> String {
    let suffix = match (prefix.chars().last(), suffix.chars().next()) {
        (Some(a), Some(b)) if a == b => &suffix[1..],
        _ => suffix,
    };
    format!("{prefix}{suffix}")
}

/// A practice name; `town` is the place it serves.
pub fn practice(rng: &mut Rand, town: &str) -> String {
    let feature = rng.pick(FEATURES);
    match rng.below(12) {
        0 | 1 => format!("The {feature} Surgery"),
        2 => format!("{feature} Medical Practice"),
        3 | 4 => format!("{town} Medical Centre"),
        5 => format!("{town} Health Centre"),
        6 => format!("{town} Surgery"),
        7 => format!("{town} Family Practice"),
        8 => format!("{} Surgery", rng.pick(STREETS)),
        9 => format!("Dr {} and Partners", rng.pick(SURNAMES)),
        10 => format!("{feature} Group Practice"),
        _ => format!("The {feature} Practice"),
    }
}

/// Words for the direction of a point from a town centre, for network names.
pub fn direction(de: f64, dn: f64) -> &'static str {
    let angle = dn.atan2(de).to_degrees();
    match angle {
        a if (-22.5..22.5).contains(&a) => "East",
        a if (22.5..67.5).contains(&a) => "North East",
        a if (67.5..112.5).contains(&a) => "North",
        a if (112.5..157.5).contains(&a) => "North West",
        a if (-67.5..-22.5).contains(&a) => "South East",
        a if (-112.5..-67.5).contains(&a) => "South",
        a if (-157.5..-112.5).contains(&a) => "South West",
        _ => "West",
    }
}

/// A local landmark: "Riverside", "Old School".
pub fn feature(rng: &mut Rand) -> &'static str {
    FEATURES[rng.below(FEATURES.len())]
}

/// A building name for an address line: "Riverside House".
pub fn building(rng: &mut Rand) -> String {
    let kind = *rng.pick(&["House", "Centre", "Court", "Lodge", "Building"]);
    format!("{} {kind}", rng.pick(FEATURES))
}

/// A county-like name for address line 4.
pub fn county(place: &str) -> String {
    if place.ends_with('e') || place.ends_with('y') { format!("{place} County") } else { format!("{place}shire") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn place_names_are_unique_while_they_last() {
        let mut rng = Rand::for_phase(1, "names");
        let mut p = PlaceNames::new();
        let names: HashSet<String> = (0..5000).map(|_| p.next(&mut rng)).collect();
        assert_eq!(names.len(), 5000);
    }

    #[test]
    fn directions() {
        assert_eq!(direction(1.0, 0.0), "East");
        assert_eq!(direction(0.0, 1.0), "North");
        assert_eq!(direction(-1.0, -1.0), "South West");
        assert_eq!(direction(-1.0, 0.0), "West");
    }
}
