//! A coarse outline of mainland England in British National Grid kilometres,
//! so synthetic practices sit on English land (not in Wales or the sea) and a
//! map of them looks like England.

use crate::Point;

/// Clockwise from Berwick-upon-Tweed, about 70 points: good to a few km.
const ENGLAND_KM: &[(f64, f64)] = &[
    (399.0, 653.0), // Berwick
    (412.0, 635.0),
    (425.0, 600.0),
    (436.0, 570.0), // Tyneside
    (445.0, 548.0),
    (452.0, 533.0), // Hartlepool
    (470.0, 522.0),
    (490.0, 511.0), // Whitby
    (505.0, 490.0),
    (525.0, 470.0), // Flamborough
    (515.0, 445.0),
    (540.0, 410.0), // Spurn
    (525.0, 400.0), // Humber mouth
    (550.0, 385.0),
    (557.0, 363.0), // Skegness
    (548.0, 340.0), // The Wash
    (567.0, 340.0), // Hunstanton
    (600.0, 344.0),
    (622.0, 342.0), // Cromer
    (652.0, 307.0), // Great Yarmouth
    (655.0, 292.0), // Lowestoft
    (645.0, 260.0),
    (630.0, 235.0), // Felixstowe
    (617.0, 215.0), // Clacton
    (600.0, 200.0),
    (590.0, 185.0), // Southend
    (600.0, 175.0),
    (635.0, 170.0), // Margate
    (632.0, 141.0), // Dover
    (609.0, 117.0), // Dungeness
    (581.0, 109.0), // Hastings
    (555.0, 100.0),
    (531.0, 104.0), // Brighton
    (485.0, 93.0),  // Selsey
    (465.0, 98.0),  // Portsmouth
    (430.0, 96.0),
    (410.0, 90.0), // Bournemouth
    (368.0, 78.0), // Weymouth
    (335.0, 92.0), // Lyme Regis
    (300.0, 80.0), // Exmouth
    (282.0, 37.0), // Start Point
    (247.0, 54.0), // Plymouth
    (200.0, 40.0),
    (170.0, 12.0), // Lizard
    (134.0, 25.0), // Land's End
    (152.0, 40.0), // St Ives
    (181.0, 61.0), // Newquay
    (205.0, 80.0),
    (220.0, 106.0), // Bude
    (226.0, 127.0), // Hartland
    (255.0, 133.0), // Barnstaple
    (297.0, 146.0), // Minehead
    (330.0, 160.0),
    (340.0, 180.0), // Bristol
    (353.0, 194.0), // Chepstow
    (350.0, 213.0), // Monmouth
    (323.0, 242.0), // Hay-on-Wye
    (329.0, 272.0), // Knighton
    (330.0, 310.0), // Welshpool border
    (340.0, 345.0),
    (340.0, 366.0), // Chester
    (325.0, 385.0), // Wirral
    (330.0, 400.0), // Liverpool
    (334.0, 418.0), // Southport
    (330.0, 436.0), // Blackpool
    (343.0, 464.0), // Morecambe
    (320.0, 470.0), // Barrow
    (296.0, 512.0), // St Bees
    (300.0, 528.0), // Workington
    (330.0, 565.0), // Solway
    (370.0, 607.0), // Carter Bar
    (385.0, 640.0), // Coldstream
];

/// Where a small area is centred: the Midlands, well inside the outline.
pub const MIDLANDS: Point = Point { easting: 440_000.0, northing: 290_000.0 };

/// The outline's bounding box in metres: (min easting, min northing, max easting, max northing).
pub fn bounds() -> (f64, f64, f64, f64) {
    let mut b = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for &(e, n) in ENGLAND_KM {
        b = (b.0.min(e), b.1.min(n), b.2.max(e), b.3.max(n));
    }
    (b.0 * 1000.0, b.1 * 1000.0, b.2 * 1000.0, b.3 * 1000.0)
}

/// Even-odd ray casting against the outline.
pub fn contains(p: Point) -> bool {
    let (x, y) = (p.easting / 1000.0, p.northing / 1000.0);
    let mut inside = false;
    let mut j = ENGLAND_KM.len() - 1;
    for (i, &(xi, yi)) in ENGLAND_KM.iter().enumerate() {
        let (xj, yj) = ENGLAND_KM[j];
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        j = i;
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cities_in_and_sea_out() {
        for (e, n) in [(530.0, 180.0), (383.0, 398.0), (407.0, 287.0), (425.0, 565.0), (359.0, 173.0)] {
            assert!(contains(Point::new(e * 1000.0, n * 1000.0)), "({e}, {n}) should be in England");
        }
        // Irish Sea, North Sea, Cardiff, Channel.
        for (e, n) in [(250.0, 450.0), (600.0, 450.0), (318.0, 176.0), (450.0, 50.0)] {
            assert!(!contains(Point::new(e * 1000.0, n * 1000.0)), "({e}, {n}) should be outside");
        }
        assert!(contains(MIDLANDS));
    }
}
