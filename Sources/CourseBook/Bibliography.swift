import Foundation

/// One work the course cites, in full: who wrote it, when, its title, where it appeared and where
/// to find it. The chapters cite it by author and year ("Burda et al. 2016", "Kingma and Welling
/// 2014", "Sutter, Daunhawer & Vogt 2021"); the book links each such citation to its entry on the
/// references page (`Citations`).
public struct Reference: Sendable, Equatable {
    /// The entry's anchor on the references page.
    public let key: String
    /// The authors as printed ("D. P. Kingma"); each one's surname is what follows the last initial.
    public let authors: [String]
    /// The year as cited, with a letter where one author has two works of a year ("2019a").
    public let year: String
    public let title: String
    /// Where it appeared: a conference, a journal with its volume and pages, a thesis' school.
    public let venue: String
    /// Where to read it (a DOI, arXiv or the publisher's page), nil for none.
    public let link: String?

    init(_ key: String, _ authors: [String], _ year: String, _ title: String, _ venue: String, _ link: String? = nil) {
        self.key = key
        self.authors = authors
        self.year = year
        self.title = title
        self.venue = venue
        self.link = link
    }

    /// Each author's surname: the words after the last initial ("L. van der Maaten" → "van der Maaten").
    public var surnames: [String] {
        authors.map { author in
            let words = author.split(separator: " ")
            let initials = words.lastIndex { $0.hasSuffix(".") }.map { $0 + 1 } ?? 0
            return words[initials...].joined(separator: " ")
        }
    }

    /// The entry as HTML: authors, year, title, venue and address.
    var html: String {
        let names = authors.count <= 2 ? authors.joined(separator: " and ")
            : authors.dropLast().joined(separator: ", ") + " and " + authors.last!
        var text = HTML.escape(names) + " (" + year + "). <cite>" + HTML.escape(title) + "</cite>. " + HTML.escape(venue) + "."
        // The address as text, not a link: the book loads and links nothing outside itself.
        if let link { text += " <span class=\"address\">" + HTML.escape(link) + "</span>" }
        return text
    }
}

/// The course's bibliography: every work a chapter or the library cites. One list, so a
/// citation in any chapter resolves to one entry, and the references page is made from it.
public enum Bibliography {
    public static let references: [Reference] = [
        Reference("alemi2018", ["A. A. Alemi", "B. Poole", "I. Fischer", "J. V. Dillon", "R. A. Saurous", "K. Murphy"], "2018",
                  "Fixing a Broken ELBO", "Proceedings of the 35th International Conference on Machine Learning (ICML), PMLR 80, 159–168",
                  "https://arxiv.org/abs/1711.00464"),
        Reference("belkina2019", ["A. C. Belkina", "C. O. Ciccolella", "R. Anno", "R. Halpert", "J. Spidlen", "J. E. Snyder-Cappione"], "2019",
                  "Automated optimized parameters for T-distributed stochastic neighbor embedding improve visualization and analysis of large datasets",
                  "Nature Communications 10, 5415", "https://doi.org/10.1038/s41467-019-13055-y"),
        Reference("blackman2018", ["D. Blackman", "S. Vigna"], "2018", "Scrambled Linear Pseudorandom Number Generators",
                  "arXiv:1805.01407 (ACM Transactions on Mathematical Software 47(4), 2021)", "https://arxiv.org/abs/1805.01407"),
        Reference("bowman2016", ["S. R. Bowman", "L. Vilnis", "O. Vinyals", "A. M. Dai", "R. Jozefowicz", "S. Bengio"], "2016",
                  "Generating Sentences from a Continuous Space",
                  "Proceedings of the 20th SIGNLL Conference on Computational Natural Language Learning (CoNLL), 10–21",
                  "https://arxiv.org/abs/1511.06349"),
        Reference("burda2016", ["Y. Burda", "R. Grosse", "R. Salakhutdinov"], "2016", "Importance Weighted Autoencoders",
                  "International Conference on Learning Representations (ICLR)", "https://arxiv.org/abs/1509.00519"),
        Reference("burgess2018", ["C. P. Burgess", "I. Higgins", "A. Pal", "L. Matthey", "N. Watters", "G. Desjardins", "A. Lerchner"], "2018",
                  "Understanding disentangling in β-VAE", "arXiv:1804.03599", "https://arxiv.org/abs/1804.03599"),
        Reference("efron1979", ["B. Efron"], "1979", "Bootstrap Methods: Another Look at the Jackknife",
                  "The Annals of Statistics 7(1), 1–26", "https://doi.org/10.1214/aos/1176344552"),
        Reference("germain2015", ["M. Germain", "K. Gregor", "I. Murray", "H. Larochelle"], "2015",
                  "MADE: Masked Autoencoder for Distribution Estimation",
                  "Proceedings of the 32nd International Conference on Machine Learning (ICML), PMLR 37, 881–889",
                  "https://arxiv.org/abs/1502.03509"),
        Reference("ghosh2020", ["P. Ghosh", "M. S. M. Sajjadi", "A. Vergari", "M. Black", "B. Schölkopf"], "2020",
                  "From Variational to Deterministic Autoencoders", "International Conference on Learning Representations (ICLR)",
                  "https://arxiv.org/abs/1903.12436"),
        Reference("glorot2010", ["X. Glorot", "Y. Bengio"], "2010", "Understanding the difficulty of training deep feedforward neural networks",
                  "Proceedings of the 13th International Conference on Artificial Intelligence and Statistics (AISTATS), PMLR 9, 249–256",
                  "https://proceedings.mlr.press/v9/glorot10a.html"),
        Reference("graves2013", ["A. Graves"], "2013", "Generating Sequences With Recurrent Neural Networks", "arXiv:1308.0850",
                  "https://arxiv.org/abs/1308.0850"),
        Reference("he2015", ["K. He", "X. Zhang", "S. Ren", "J. Sun"], "2015",
                  "Delving Deep into Rectifiers: Surpassing Human-Level Performance on ImageNet Classification",
                  "IEEE International Conference on Computer Vision (ICCV), 1026–1034", "https://arxiv.org/abs/1502.01852"),
        Reference("he2016", ["K. He", "X. Zhang", "S. Ren", "J. Sun"], "2016", "Deep Residual Learning for Image Recognition",
                  "IEEE Conference on Computer Vision and Pattern Recognition (CVPR), 770–778", "https://arxiv.org/abs/1512.03385"),
        Reference("heusel2017", ["M. Heusel", "H. Ramsauer", "T. Unterthiner", "B. Nessler", "S. Hochreiter"], "2017",
                  "GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash Equilibrium",
                  "Advances in Neural Information Processing Systems 30 (NeurIPS)", "https://arxiv.org/abs/1706.08500"),
        Reference("higgins2017", ["I. Higgins", "L. Matthey", "A. Pal", "C. Burgess", "X. Glorot", "M. Botvinick", "S. Mohamed", "A. Lerchner"], "2017",
                  "β-VAE: Learning Basic Visual Concepts with a Constrained Variational Framework",
                  "International Conference on Learning Representations (ICLR)", "https://openreview.net/forum?id=Sy2fzU9gl"),
        Reference("hoffman2016", ["M. D. Hoffman", "M. J. Johnson"], "2016",
                  "ELBO surgery: yet another way to carve up the variational evidence lower bound",
                  "NIPS 2016 Workshop on Advances in Approximate Bayesian Inference"),
        Reference("ioffe2015", ["S. Ioffe", "C. Szegedy"], "2015",
                  "Batch Normalization: Accelerating Deep Network Training by Reducing Internal Covariate Shift",
                  "Proceedings of the 32nd International Conference on Machine Learning (ICML), PMLR 37, 448–456",
                  "https://arxiv.org/abs/1502.03167"),
        Reference("kingma2014", ["D. P. Kingma", "M. Welling"], "2014", "Auto-Encoding Variational Bayes",
                  "International Conference on Learning Representations (ICLR)", "https://arxiv.org/abs/1312.6114"),
        Reference("kingma2014semi", ["D. P. Kingma", "D. J. Rezende", "S. Mohamed", "M. Welling"], "2014",
                  "Semi-Supervised Learning with Deep Generative Models", "Advances in Neural Information Processing Systems 27 (NeurIPS)",
                  "https://arxiv.org/abs/1406.5298"),
        Reference("kingma2015", ["D. P. Kingma", "J. Ba"], "2015", "Adam: A Method for Stochastic Optimization",
                  "International Conference on Learning Representations (ICLR)", "https://arxiv.org/abs/1412.6980"),
        Reference("kingma2016", ["D. P. Kingma", "T. Salimans", "R. Jozefowicz", "X. Chen", "I. Sutskever", "M. Welling"], "2016",
                  "Improved Variational Inference with Inverse Autoregressive Flow", "Advances in Neural Information Processing Systems 29 (NeurIPS)",
                  "https://arxiv.org/abs/1606.04934"),
        Reference("larochelle2011", ["H. Larochelle", "I. Murray"], "2011", "The Neural Autoregressive Distribution Estimator",
                  "Proceedings of the 14th International Conference on Artificial Intelligence and Statistics (AISTATS), PMLR 15, 29–37",
                  "https://proceedings.mlr.press/v15/larochelle11a.html"),
        Reference("lecun1998", ["Y. LeCun", "L. Bottou", "Y. Bengio", "P. Haffner"], "1998", "Gradient-Based Learning Applied to Document Recognition",
                  "Proceedings of the IEEE 86(11), 2278–2324", "https://doi.org/10.1109/5.726791"),
        Reference("lee2018", ["K. Lee", "K. Lee", "H. Lee", "J. Shin"], "2018",
                  "A Simple Unified Framework for Detecting Out-of-Distribution Samples and Adversarial Attacks",
                  "Advances in Neural Information Processing Systems 31 (NeurIPS)", "https://arxiv.org/abs/1807.03888"),
        Reference("loaizaganem2019", ["G. Loaiza-Ganem", "J. P. Cunningham"], "2019",
                  "The continuous Bernoulli: fixing a pervasive error in variational autoencoders",
                  "Advances in Neural Information Processing Systems 32 (NeurIPS)", "https://arxiv.org/abs/1907.06845"),
        Reference("locatello2019", ["F. Locatello", "S. Bauer", "M. Lucic", "G. Rätsch", "S. Gelly", "B. Schölkopf", "O. Bachem"], "2019",
                  "Challenging Common Assumptions in the Unsupervised Learning of Disentangled Representations",
                  "Proceedings of the 36th International Conference on Machine Learning (ICML), PMLR 97, 4114–4124",
                  "https://arxiv.org/abs/1811.12359"),
        Reference("loshchilov2019", ["I. Loshchilov", "F. Hutter"], "2019", "Decoupled Weight Decay Regularization",
                  "International Conference on Learning Representations (ICLR)", "https://arxiv.org/abs/1711.05101"),
        Reference("maaten2008", ["L. van der Maaten", "G. Hinton"], "2008", "Visualizing Data using t-SNE",
                  "Journal of Machine Learning Research 9, 2579–2605", "https://www.jmlr.org/papers/v9/vandermaaten08a.html"),
        Reference("nalisnick2019a", ["E. Nalisnick", "A. Matsukawa", "Y. W. Teh", "D. Gorur", "B. Lakshminarayanan"], "2019a",
                  "Do Deep Generative Models Know What They Don't Know?", "International Conference on Learning Representations (ICLR)",
                  "https://arxiv.org/abs/1810.09136"),
        Reference("nalisnick2019b", ["E. Nalisnick", "A. Matsukawa", "Y. W. Teh", "B. Lakshminarayanan"], "2019b",
                  "Detecting Out-of-Distribution Inputs to Deep Generative Models Using Typicality", "arXiv:1906.02994",
                  "https://arxiv.org/abs/1906.02994"),
        Reference("odena2016", ["A. Odena", "V. Dumoulin", "C. Olah"], "2016", "Deconvolution and Checkerboard Artifacts",
                  "Distill", "https://doi.org/10.23915/distill.00003"),
        Reference("palumbo2023", ["E. Palumbo", "I. Daunhawer", "J. E. Vogt"], "2023",
                  "MMVAE+: Enhancing the Generative Quality of Multimodal VAEs without Compromises",
                  "International Conference on Learning Representations (ICLR)", "https://openreview.net/forum?id=sdQGxouELX"),
        Reference("rainforth2018", ["T. Rainforth", "A. R. Kosiorek", "T. A. Le", "C. J. Maddison", "M. Igl", "F. Wood", "Y. W. Teh"], "2018",
                  "Tighter Variational Bounds are Not Necessarily Better",
                  "Proceedings of the 35th International Conference on Machine Learning (ICML), PMLR 80, 4277–4285",
                  "https://arxiv.org/abs/1802.04537"),
        Reference("ramachandran2017", ["P. Ramachandran", "B. Zoph", "Q. V. Le"], "2017", "Searching for Activation Functions",
                  "arXiv:1710.05941", "https://arxiv.org/abs/1710.05941"),
        Reference("ren2019", ["J. Ren", "P. J. Liu", "E. Fertig", "J. Snoek", "R. Poplin", "M. A. DePristo", "J. V. Dillon", "B. Lakshminarayanan"], "2019",
                  "Likelihood Ratios for Out-of-Distribution Detection", "Advances in Neural Information Processing Systems 32 (NeurIPS)",
                  "https://arxiv.org/abs/1906.02845"),
        Reference("rezende2014", ["D. J. Rezende", "S. Mohamed", "D. Wierstra"], "2014",
                  "Stochastic Backpropagation and Approximate Inference in Deep Generative Models",
                  "Proceedings of the 31st International Conference on Machine Learning (ICML), PMLR 32(2), 1278–1286",
                  "https://arxiv.org/abs/1401.4082"),
        Reference("salimans2016", ["T. Salimans", "I. Goodfellow", "W. Zaremba", "V. Cheung", "A. Radford", "X. Chen"], "2016",
                  "Improved Techniques for Training GANs", "Advances in Neural Information Processing Systems 29 (NeurIPS)",
                  "https://arxiv.org/abs/1606.03498"),
        Reference("serra2020", ["J. Serrà", "D. Álvarez", "V. Gómez", "O. Slizovskaia", "J. F. Núñez", "J. Luque"], "2020",
                  "Input Complexity and Out-of-distribution Detection with Likelihood-based Generative Models",
                  "International Conference on Learning Representations (ICLR)", "https://arxiv.org/abs/1909.11480"),
        Reference("shi2019", ["Y. Shi", "N. Siddharth", "B. Paige", "P. H. S. Torr"], "2019",
                  "Variational Mixture-of-Experts Autoencoders for Multi-Modal Deep Generative Models",
                  "Advances in Neural Information Processing Systems 32 (NeurIPS)", "https://arxiv.org/abs/1911.03393"),
        Reference("shoemake1985", ["K. Shoemake"], "1985", "Animating Rotation with Quaternion Curves",
                  "Proceedings of SIGGRAPH '85, Computer Graphics 19(3), 245–254", "https://doi.org/10.1145/325165.325242"),
        Reference("sohn2015", ["K. Sohn", "H. Lee", "X. Yan"], "2015",
                  "Learning Structured Output Representation using Deep Conditional Generative Models",
                  "Advances in Neural Information Processing Systems 28 (NeurIPS)",
                  "https://papers.nips.cc/paper/5775-learning-structured-output-representation-using-deep-conditional-generative-models"),
        Reference("sonderby2016", ["C. K. Sønderby", "T. Raiko", "L. Maaløe", "S. K. Sønderby", "O. Winther"], "2016", "Ladder Variational Autoencoders",
                  "Advances in Neural Information Processing Systems 29 (NeurIPS)", "https://arxiv.org/abs/1602.02282"),
        Reference("sutter2021", ["T. M. Sutter", "I. Daunhawer", "J. E. Vogt"], "2021", "Generalized Multimodal ELBO",
                  "International Conference on Learning Representations (ICLR)", "https://arxiv.org/abs/2105.02470"),
        Reference("suzuki2017", ["M. Suzuki", "K. Nakayama", "Y. Matsuo"], "2017", "Joint Multimodal Learning with Deep Generative Models",
                  "International Conference on Learning Representations (ICLR), workshop track", "https://arxiv.org/abs/1611.01891"),
        Reference("tomczak2018", ["J. M. Tomczak", "M. Welling"], "2018", "VAE with a VampPrior",
                  "Proceedings of the 21st International Conference on Artificial Intelligence and Statistics (AISTATS), PMLR 84, 1214–1223",
                  "https://arxiv.org/abs/1705.07120"),
        Reference("tonnaer2023", ["L. Tonnaer"], "2023",
                  "Linearly Symmetry-Based Disentangled Representations and their Out-of-Distribution Behaviour",
                  "PhD thesis, Eindhoven University of Technology, ISBN 978-90-386-5847-6 (its chapter 3: Anomaly Detection with Variational Autoencoders)"),
        Reference("tucker2019", ["G. Tucker", "D. Lawson", "S. Gu", "C. J. Maddison"], "2019",
                  "Doubly Reparameterized Gradient Estimators for Monte Carlo Objectives",
                  "International Conference on Learning Representations (ICLR)", "https://arxiv.org/abs/1810.04152"),
        Reference("venna2001", ["J. Venna", "S. Kaski"], "2001",
                  "Neighborhood Preservation in Nonlinear Projection Methods: An Experimental Study",
                  "Artificial Neural Networks (ICANN 2001), Lecture Notes in Computer Science 2130, 485–491",
                  "https://doi.org/10.1007/3-540-44668-0_68"),
        Reference("wu2018", ["M. Wu", "N. Goodman"], "2018", "Multimodal Generative Models for Scalable Weakly-Supervised Learning",
                  "Advances in Neural Information Processing Systems 31 (NeurIPS)", "https://arxiv.org/abs/1802.05335"),
        Reference("xiao2017", ["H. Xiao", "K. Rasul", "R. Vollgraf"], "2017",
                  "Fashion-MNIST: a Novel Image Dataset for Benchmarking Machine Learning Algorithms", "arXiv:1708.07747",
                  "https://arxiv.org/abs/1708.07747"),
    ]
}
