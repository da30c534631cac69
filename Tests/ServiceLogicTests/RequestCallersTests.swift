import EcoBus
import EcoModel
import EcoRuntime
import Testing

@Suite("RequestCallers: the kinds kept to the command line or to one service")
struct RequestCallersTests {
    @Test("the command line unlocks codes, releases workers and rotates keys; a service cannot")
    func operatorKinds() {
        for kind in [PickupRequests.unlockCodes, LotReleaseRequests.release, KeyRequests.rotate] {
            #expect(RequestCallers.refusal(of: kind, from: "cli") == nil, "\(kind)")
            #expect(RequestCallers.refusal(of: kind, from: "gateway") == .forbidden("only the operator's command line may ask \(kind)"))
            #expect(RequestCallers.refusal(of: kind, from: "matcher-1") != nil)
        }
    }

    @Test("delivery codes are the matcher workers' to ask; other kinds stay open to every process")
    func serviceKinds() {
        #expect(RequestCallers.refusal(of: PickupRequests.deliveryCode, from: "matcher-3") == nil)
        #expect(RequestCallers.refusal(of: PickupRequests.checkDelivery, from: "matcher-0") == nil)
        #expect(RequestCallers.refusal(of: PickupRequests.checkDelivery, from: "gateway")
            == .forbidden("only the matcher service may ask \(PickupRequests.checkDelivery)"))
        #expect(RequestCallers.refusal(of: PickupRequests.deliveryCode, from: "cli") != nil)
        #expect(RequestCallers.refusal(of: PickupRequests.validate, from: "gateway") == nil)
        #expect(RequestCallers.refusal(of: BusRequestKind.ping, from: "reporting") == nil)
        #expect(RequestCallers.refusal(of: PickupRequests.unlockCodes, from: "not-a-process") != nil)
    }
}
