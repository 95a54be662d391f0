import CostTracker
import DecomposerCore
import Testing

@Suite struct CostReportTests {
    /// Two days of use around an idle one: 12.5 s and 0.75 s of GPU time.
    private let report = CostReport(days: [
        CostDay(date: "2026-11-21", microdollars: 12_345_678, gpuMilliseconds: 12_500, requests: 1_204, failedRequests: 7),
        CostDay(date: "2026-11-22"),
        CostDay(
            date: "2026-11-23", microdollars: 1_250, gpuMilliseconds: 750, requests: 3, failedRequests: 1, cacheHits: 2,
            cacheAvoidedMicrodollars: 833),
    ])

    @Test func theTableIsAlignedWithATotalRow() {
        #expect(report.rendered(as: .table) == """
            date        requests  failed  GPU seconds        USD  cache hits  USD avoided
            ----------  --------  ------  -----------  ---------  ----------  -----------
            2026-11-21      1204       7       12.500  12.345678           0     0.000000
            2026-11-22         0       0        0.000   0.000000           0     0.000000
            2026-11-23         3       1        0.750   0.001250           2     0.000833
            ----------  --------  ------  -----------  ---------  ----------  -----------
            total           1207       8       13.250  12.346928           2     0.000833

            """)
    }

    @Test func csvHasAHeaderAndATotalRowLast() {
        #expect(report.rendered(as: .csv) == """
            date,requests,failed_requests,gpu_seconds,usd,cache_hits,cache_avoided_usd
            2026-11-21,1204,7,12.500,12.345678,0,0.000000
            2026-11-22,0,0,0.000,0.000000,0,0.000000
            2026-11-23,3,1,0.750,0.001250,2,0.000833
            total,1207,8,13.250,12.346928,2,0.000833

            """)
    }

    @Test func jsonIsTheCostsEndpointsDocument() {
        #expect(report.rendered(as: .json) == #"""
            {"days":[{"cache_avoided_usd":0,"cache_hits":0,"date":"2026-11-21","failed_requests":7,"gpu_seconds":12.5,\#
            "requests":1204,"usd":12.345678},\#
            {"cache_avoided_usd":0,"cache_hits":0,"date":"2026-11-22","failed_requests":0,"gpu_seconds":0,"requests":0,"usd":0},\#
            {"cache_avoided_usd":0.000833,"cache_hits":2,"date":"2026-11-23","failed_requests":1,"gpu_seconds":0.75,\#
            "requests":3,"usd":0.00125}],"total_cache_avoided_usd":0.000833,"total_cache_hits":2,"total_usd":12.346928}

            """#)
    }

    @Test func theRateComesFromAnExplicitFigureOrTheGPUType() throws {
        #expect(try GPURate.configured(usdPerHour: 1.5, gpuType: "H100_80GB") == GPURate(usdPerHour: 1.5))
        #expect(try GPURate.configured(usdPerHour: nil, gpuType: "t4") == GPURate(usdPerHour: GPUType.t4.usdPerHour))
        #expect(try GPURate.configured(usdPerHour: nil, gpuType: nil) == GPURate(usdPerHour: GPUType.l4.usdPerHour))
        #expect(throws: ConfigurationError(
            key: "GPU_TYPE", expected: "one of T4, L4, A100_40GB, A100_80GB, H100_80GB", actual: "V100")) {
            try GPURate.configured(usdPerHour: nil, gpuType: "V100")
        }
    }
}
