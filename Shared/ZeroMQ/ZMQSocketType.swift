import CZeroMQ

/// The ZeroMQ socket types the project uses.
public enum ZMQSocketType: Sendable {
    case pub, sub, xpub, xsub, router, dealer, pair, push, pull, rep

    var rawValue: Int32 {
        switch self {
        case .pub: ZMQ_PUB
        case .sub: ZMQ_SUB
        case .xpub: ZMQ_XPUB
        case .xsub: ZMQ_XSUB
        case .router: ZMQ_ROUTER
        case .dealer: ZMQ_DEALER
        case .pair: ZMQ_PAIR
        case .push: ZMQ_PUSH
        case .pull: ZMQ_PULL
        case .rep: ZMQ_REP
        }
    }
}
