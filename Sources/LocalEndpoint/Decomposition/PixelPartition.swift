/// Which layer each pixel belongs to, and the spatial operations the
/// decomposition needs on those groups: their areas, how much of the image's
/// edge they cover, splitting one in two, and putting them in layer order.
///
/// One byte per pixel (at most `LocalDecomposer.layerRange.upperBound`
/// groups) keeps the passes over a million-pixel image memory-light.
struct PixelPartition {
    /// A pixel no group has claimed yet (fully transparent ones); `renumber`
    /// gives them to the background.
    static let unassigned: UInt8 = .max

    let width: Int
    let height: Int
    private(set) var labels: [UInt8]
    private(set) var groupCount: Int

    init(width: Int, height: Int, labels: [UInt8], groupCount: Int) {
        precondition(labels.count == width * height && groupCount < Int(Self.unassigned))
        self.width = width
        self.height = height
        self.labels = labels
        self.groupCount = groupCount
    }

    /// Pixels per group.
    func areas() -> [Int] {
        var areas = [Int](repeating: 0, count: groupCount)
        labels.withUnsafeBufferPointer { labels in
            for label in labels where label != Self.unassigned { areas[Int(label)] += 1 }
        }
        return areas
    }

    /// Pixels per group on the image's outer edge: the background is the
    /// group the frame of the poster belongs to.
    func borderCounts() -> [Int] {
        var counts = [Int](repeating: 0, count: groupCount)
        func count(_ x: Int, _ y: Int) {
            let label = labels[y * width + x]
            if label != Self.unassigned { counts[Int(label)] += 1 }
        }
        for x in 0..<width {
            count(x, 0)
            if height > 1 { count(x, height - 1) }
        }
        for y in 1..<max(height - 1, 1) {
            count(0, y)
            if width > 1 { count(width - 1, y) }
        }
        return counts
    }

    /// Splits `group` in two; the second part becomes group `groupCount`.
    ///
    /// The cut is a straight line across the group's bounding box: through
    /// the empty band that best balances the two parts (the gap between two
    /// lines of text, between two objects of the same colour) when there is
    /// one leaving each side at least a tenth of the pixels, otherwise at the
    /// median of the longer side. Both parts are always non-empty.
    /// - Precondition: the group has at least two pixels.
    mutating func split(_ group: Int) {
        let label = UInt8(group)
        var columns = [Int](repeating: 0, count: width)
        var rows = [Int](repeating: 0, count: height)
        var total = 0
        labels.withUnsafeBufferPointer { labels in
            for y in 0..<height {
                let row = y * width
                for x in 0..<width where labels[row + x] == label {
                    columns[x] += 1
                    rows[y] += 1
                }
            }
        }
        for count in rows { total += count }
        precondition(total >= 2, "a group of \(total) pixel(s) cannot be split")

        let cut = Self.gapCut(columns, total: total).map { (vertical: true, at: $0.at, balance: $0.balance) }
        let rowCut = Self.gapCut(rows, total: total).map { (vertical: false, at: $0.at, balance: $0.balance) }
        let chosen: (vertical: Bool, at: Int)
        switch (cut, rowCut) {
        case (let column?, let row?): chosen = column.balance >= row.balance ? (true, column.at) : (false, row.at)
        case (let column?, nil): chosen = (true, column.at)
        case (nil, let row?): chosen = (false, row.at)
        case (nil, nil):
            let columnExtent = Self.extent(columns)
            let rowExtent = Self.extent(rows)
            chosen = columnExtent >= rowExtent ? (true, Self.medianCut(columns, total: total)) : (false, Self.medianCut(rows, total: total))
        }

        let newLabel = UInt8(groupCount)
        labels.withUnsafeMutableBufferPointer { labels in
            for y in 0..<height {
                let row = y * width
                for x in 0..<width where labels[row + x] == label && (chosen.vertical ? x : y) >= chosen.at {
                    labels[row + x] = newLabel
                }
            }
        }
        groupCount += 1
    }

    /// Renumbers the groups so that old group `order[i]` becomes group `i`;
    /// unassigned pixels join group 0.
    mutating func renumber(_ order: [Int]) {
        precondition(order.count == groupCount && Set(order).count == groupCount)
        var table = [UInt8](repeating: 0, count: 256)
        for (new, old) in order.enumerated() { table[old] = UInt8(new) }
        table[Int(Self.unassigned)] = 0
        labels.withUnsafeMutableBufferPointer { labels in
            for index in labels.indices { labels[index] = table[Int(labels[index])] }
        }
    }

    /// The best-balanced empty band in a projection: the cut position (first
    /// coordinate of the second part) and the smaller part's share.
    private static func gapCut(_ counts: [Int], total: Int) -> (at: Int, balance: Double)? {
        guard let first = counts.firstIndex(where: { $0 > 0 }), let last = counts.lastIndex(where: { $0 > 0 }) else {
            return nil
        }
        var best: (at: Int, balance: Double)?
        var before = 0
        var position = first
        while position <= last {
            if counts[position] > 0 {
                before += counts[position]
                position += 1
                continue
            }
            var end = position
            while counts[end] == 0 { end += 1 }  // `counts[last] > 0` stops this.
            let balance = Double(min(before, total - before)) / Double(total)
            if balance >= 0.1, balance > best?.balance ?? 0 { best = (position + (end - position) / 2, balance) }
            position = end
        }
        return best
    }

    /// The first coordinate at which at least half of the pixels lie before,
    /// kept inside the occupied span so both parts are non-empty.
    private static func medianCut(_ counts: [Int], total: Int) -> Int {
        let first = counts.firstIndex { $0 > 0 } ?? 0
        let last = counts.lastIndex { $0 > 0 } ?? 0
        var before = 0
        for cut in (first + 1)...max(last, first + 1) {
            before += counts[cut - 1]
            if before * 2 >= total { return min(cut, last) }
        }
        return last
    }

    private static func extent(_ counts: [Int]) -> Int {
        guard let first = counts.firstIndex(where: { $0 > 0 }), let last = counts.lastIndex(where: { $0 > 0 }) else { return 0 }
        return last - first + 1
    }
}
