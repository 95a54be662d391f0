import SystemSupport

/// Lloyd's k-means over weighted points (histogram bins weighted by their
/// pixel counts), seeded with k-means++ from a `SeededGenerator`.
///
/// Deterministic for a given seed: the first centre is the heaviest point
/// (usually the background's colour), the others are drawn with k-means++'s
/// weight × distance² rule from the seeded generator, and ties always go to
/// the lower index. Every cluster ends with at least one point, so every
/// colour layer is non-empty.
enum WeightedKMeans {
    /// The iteration cap; bins converge in far fewer on real images.
    static let maxIterations = 40

    /// The cluster of each point, in `0..<k`.
    /// - Precondition: `1 <= k <= points.count`; points are distinct.
    static func cluster(_ points: [Oklab], weights: [Double], k: Int, generator: inout SeededGenerator) -> [Int] {
        precondition(k >= 1 && k <= points.count, "k-means needs 1...\(points.count) clusters, got \(k)")
        var centres = initialCentres(points, weights: weights, k: k, generator: &generator)
        var assignment = [Int](repeating: -1, count: points.count)
        for _ in 0..<maxIterations {
            var changed = false
            for index in points.indices {
                let nearest = nearestCentre(to: points[index], in: centres)
                if nearest != assignment[index] {
                    assignment[index] = nearest
                    changed = true
                }
            }
            refill(&assignment, centres: &centres, points: points, weights: weights)
            if !changed { break }
            centres = means(of: points, weights: weights, assignment: assignment, previous: centres)
        }
        return assignment
    }

    /// k-means++: each next centre is a point drawn with probability
    /// proportional to weight × squared distance to the nearest centre so far.
    private static func initialCentres(
        _ points: [Oklab], weights: [Double], k: Int, generator: inout SeededGenerator
    ) -> [Oklab] {
        var heaviest = 0
        for index in weights.indices where weights[index] > weights[heaviest] { heaviest = index }
        var chosen = [heaviest]
        var nearest = points.map { Double($0.distanceSquared(to: points[heaviest])) }
        while chosen.count < k {
            let scores = points.indices.map { weights[$0] * nearest[$0] }
            let total = scores.reduce(0, +)
            var pick: Int
            if total > 0 {
                var target = generator.unitInterval() * total
                pick = scores.count - 1
                for index in scores.indices where scores[index] > 0 {
                    target -= scores[index]
                    if target < 0 { pick = index; break }
                }
                while scores[pick] == 0 { pick -= 1 }
            } else {
                // Only reachable with coinciding points: take the first unchosen one.
                pick = points.indices.first { !chosen.contains($0) } ?? 0
            }
            chosen.append(pick)
            for index in points.indices {
                nearest[index] = min(nearest[index], Double(points[index].distanceSquared(to: points[pick])))
            }
        }
        return chosen.map { points[$0] }
    }

    private static func nearestCentre(to point: Oklab, in centres: [Oklab]) -> Int {
        var best = 0
        var bestDistance = point.distanceSquared(to: centres[0])
        for index in 1..<centres.count {
            let distance = point.distanceSquared(to: centres[index])
            if distance < bestDistance {
                best = index
                bestDistance = distance
            }
        }
        return best
    }

    /// Gives every empty cluster the point that costs its own cluster the
    /// most (weight × distance²), taken from a cluster with points to spare.
    private static func refill(_ assignment: inout [Int], centres: inout [Oklab], points: [Oklab], weights: [Double]) {
        var sizes = [Int](repeating: 0, count: centres.count)
        for cluster in assignment { sizes[cluster] += 1 }
        for empty in sizes.indices where sizes[empty] == 0 {
            var donor = -1
            var worst = -1.0
            for index in points.indices where sizes[assignment[index]] > 1 {
                let cost = weights[index] * Double(points[index].distanceSquared(to: centres[assignment[index]]))
                if cost > worst {
                    worst = cost
                    donor = index
                }
            }
            // `k <= points.count` guarantees a cluster with a point to spare.
            sizes[assignment[donor]] -= 1
            assignment[donor] = empty
            sizes[empty] = 1
            centres[empty] = points[donor]
        }
    }

    private static func means(of points: [Oklab], weights: [Double], assignment: [Int], previous: [Oklab]) -> [Oklab] {
        var sums = [(l: Double, a: Double, b: Double, weight: Double)](repeating: (0, 0, 0, 0), count: previous.count)
        for index in points.indices {
            let weight = weights[index]
            let point = points[index]
            sums[assignment[index]].l += Double(point.l) * weight
            sums[assignment[index]].a += Double(point.a) * weight
            sums[assignment[index]].b += Double(point.b) * weight
            sums[assignment[index]].weight += weight
        }
        return sums.indices.map { cluster in
            let sum = sums[cluster]
            guard sum.weight > 0 else { return previous[cluster] }
            return Oklab(l: Float(sum.l / sum.weight), a: Float(sum.a / sum.weight), b: Float(sum.b / sum.weight))
        }
    }
}
